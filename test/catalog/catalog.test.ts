// The shared catalog end to end: partners publish, a member of another brand buys with their own
// points (a partner system over HTTP, and the hosted ledger), the publisher validates and redeems
// the coupon at its till; a flash sale holds its stock, limits and codes under concurrency; a
// partner failing mid-order leaves nothing held. Real PostgreSQL, Temporal and partner servers.
import { describe, expect, it } from 'vitest';
import { isWellFormedGeneratedCode } from '../../domain/coupon-code.ts';
import { type AlliancePartner, createAlliance, type Member } from '../support/alliance.ts';
import {
  catalogStockLeft,
  placeCatalogOrder,
  priceCatalogQuote,
  publishCinemaTicket,
} from '../support/catalog-items.ts';
import { expectReceivedAsDocumented } from '../support/webhook-contract.ts';

const alliance = await createAlliance();
const { gateway, coffee, airline, bookstore } = alliance;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Item {
  id: string;
  version: number;
  stock: { total: string; left: string };
  price?: { memberPoints: string };
}
interface Order {
  id: string;
  status: string;
  itemVersion: number;
  failure: { code: string } | null;
  coupon: { id: string; code: string; status: string; validUntil: string | null } | null;
}

const publish = (publisher: AlliancePartner, overrides: Record<string, unknown> = {}) =>
  publishCinemaTicket<Item>(gateway, publisher, overrides);

const priceQuote = (buyer: AlliancePartner, member: Member, itemId: string) =>
  priceCatalogQuote(gateway, buyer, member, itemId);
const order = (buyer: AlliancePartner, quoteId: string) => placeCatalogOrder(gateway, buyer, quoteId);

async function buy(buyer: AlliancePartner, member: Member, itemId: string): Promise<Response> {
  const quote = await priceQuote(buyer, member, itemId);
  expect(quote.status).toBe(201);
  return order(buyer, ((await quote.json()) as { id: string }).id);
}

async function settled(buyer: AlliancePartner, orderId: string): Promise<Order> {
  for (let attempt = 0; attempt < 900; attempt += 1) {
    const current = (await (
      await gateway.call(buyer.signer, 'GET', `/v1/catalog/orders/${orderId}`)
    ).json()) as Order;
    if (current.status !== 'reserved') return current;
    await sleep(100);
  }
  throw new Error(`order ${orderId} did not end in 90 s`);
}

const stockLeft = (itemId: string) => catalogStockLeft(gateway, itemId);

describe('buying across brands', () => {
  it('sells an airline coupon for coffee points, and the airline redeems it once at its till', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const item = await publish(airline);
    // 70 miles at 10 coffee points for 7 miles: 100 coffee points.
    const page = (await (
      await gateway.call(
        coffee.signer,
        'GET',
        `/v1/catalog?memberId=${member.memberId}&programId=${coffee.programId}&tag=movies&limit=100`,
      )
    ).json()) as Item[];
    expect(page.find((offered) => offered.id === item.id)?.price).toMatchObject({ memberPoints: '100' });

    const placed = await buy(coffee, member, item.id);
    expect(placed.status).toBe(202);
    const reserved = (await placed.json()) as Order;
    expect(['reserved', 'completed']).toContain(reserved.status);
    const done = await settled(coffee, reserved.id);
    expect(done.status).toBe('completed');
    expect(isWellFormedGeneratedCode(done.coupon?.code ?? '')).toBe(true);
    expect(done.coupon?.validUntil).not.toBeNull();
    expect(await alliance.balance(coffee, member)).toBe(900n);
    const obligations = await gateway.db
      .selectFrom('settlement_obligations')
      .selectAll()
      .where('source_id', '=', done.id)
      .execute();
    expect(obligations).toEqual([
      expect.objectContaining({
        kind: 'redemption',
        debtor_partner_id: coffee.partner.id,
        creditor_partner_id: airline.partner.id,
        amount_minor: 70n,
      }),
    ]);

    const code = done.coupon?.code ?? '';
    const validate = async (partner: AlliancePartner, value: string) =>
      (await (
        await gateway.call(partner.signer, 'POST', '/v1/coupons/validations', { body: { code: value } })
      ).json()) as {
        valid: boolean;
        reason: string | null;
      };
    expect(await validate(airline, code)).toMatchObject({ valid: true });
    expect(await validate(airline, code.toLowerCase().replaceAll('-', ''))).toMatchObject({ valid: true });
    expect(await validate(bookstore, code)).toMatchObject({ valid: false, reason: 'unknown' });
    const typo = `${code.slice(0, -1)}${code.endsWith('0') ? '1' : '0'}`;
    expect(await validate(airline, typo)).toMatchObject({ valid: false, reason: 'malformed' });

    const redeem = (key: string) =>
      gateway.call(airline.signer, 'POST', '/v1/coupons/redemptions', {
        body: { code },
        idempotencyKey: key,
      });
    const first = await redeem(`till-1-${code}`);
    expect(first.status).toBe(200);
    expect(((await first.json()) as { status: string }).status).toBe('redeemed');
    const replay = await redeem(`till-1-${code}`);
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const second = await redeem(`till-2-${code}`);
    expect(second.status).toBe(409);
    expect(((await second.json()) as { code: string }).code).toBe('coupon_already_redeemed');
    expect(await validate(airline, code)).toMatchObject({ valid: false, reason: 'redeemed' });
  });

  it('sells a coffee coupon for points kept in the hosted ledger', async () => {
    const member = await alliance.member({ bookstore: 500n });
    const item = await publish(coffee, { pricePoints: '50', title: 'A flat white' });
    const done = await settled(
      bookstore,
      ((await (await buy(bookstore, member, item.id)).json()) as Order).id,
    );
    expect(done.status).toBe('completed');
    expect(await alliance.balance(bookstore, member)).toBe(450n);
  });

  it('stops selling a coupon whose fixed end has passed, though its sale never ended', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const item = await publish(airline, {
      coupon: { validity: { until: new Date(Date.now() + 1_500).toISOString() }, terms: 'This week only' },
    });
    expect((await priceQuote(coffee, member, item.id)).status).toBe(201);
    await sleep(2_000);
    const refused = await priceQuote(coffee, member, item.id);
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(((await refused.json()) as { code: string }).code).toBe('item_not_on_sale');
    expect(await alliance.balance(coffee, member)).toBe(1_000n);
  });

  it('sells nothing to an order that waited for the item while its withdrawal committed', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const item = await publish(airline);
    const quote = (await (await priceQuote(coffee, member, item.id)).json()) as { id: string };
    // The withdrawal holds the item's row while the order's statement queues behind it.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const withdrawing = gateway.db.transaction().execute(async (trx) => {
      await trx.updateTable('catalog_items').set({ status: 'withdrawn' }).where('id', '=', item.id).execute();
      await held;
    });
    await sleep(100);
    const ordering = order(coffee, quote.id);
    await sleep(300);
    release();
    await withdrawing;
    expect((await ordering).status).toBeGreaterThanOrEqual(400);
    expect(await stockLeft(item.id)).toBe(10n);
    expect(await alliance.balance(coffee, member)).toBe(1_000n);
  });

  it('counts a purchase made before a version set a per-member limit', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const item = await publish(airline);
    const first = (await (await priceQuote(coffee, member, item.id)).json()) as { id: string };
    const bought = await settled(coffee, ((await (await order(coffee, first.id)).json()) as Order).id);
    expect(bought.status).toBe('completed');
    const limited = await gateway.call(airline.signer, 'POST', `/v1/catalog/items/${item.id}/versions`, {
      body: {
        title: 'Cinema ticket',
        pricePoints: '100',
        stock: '10',
        perMemberLimit: 1,
        coupon: { validity: { days: 30 } },
      },
    });
    expect(limited.status).toBe(201);
    const second = (await (await priceQuote(coffee, member, item.id)).json()) as { id: string };
    const refused = await order(coffee, second.id);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { code: string }).code).toBe('purchase_limit_reached');
    expect(await alliance.balance(coffee, member)).toBe(900n);
  });

  it('keeps the version an order bought, refuses another partner’s edit, and stops selling a withdrawn item', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const item = await publish(airline);
    const quote = (await (await priceQuote(coffee, member, item.id)).json()) as { id: string };
    const edit = (partner: AlliancePartner) =>
      gateway.call(partner.signer, 'POST', `/v1/catalog/items/${item.id}/versions`, {
        body: {
          title: 'Cinema ticket, 3D',
          pricePoints: '140',
          stock: '10',
          coupon: { validity: { days: 30 } },
        },
      });
    expect((await edit(coffee)).status).toBe(403);
    const edited = await edit(airline);
    expect(edited.status).toBe(201);
    expect(((await edited.json()) as Item).version).toBe(2);
    const done = await settled(coffee, ((await (await order(coffee, quote.id)).json()) as Order).id);
    expect(done).toMatchObject({ status: 'completed', itemVersion: 1 });
    expect(await alliance.balance(coffee, member)).toBe(900n);

    expect(
      (await gateway.call(coffee.signer, 'POST', `/v1/catalog/items/${item.id}/withdrawal`)).status,
    ).toBe(403);
    expect(
      (await gateway.call(airline.signer, 'POST', `/v1/catalog/items/${item.id}/withdrawal`)).status,
    ).toBe(200);
    const refused = await priceQuote(coffee, member, item.id);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { code: string }).code).toBe('item_withdrawn');
  });
});

describe('a flash sale', () => {
  it('sells exactly its stock to 500 concurrent orders, each code once', async () => {
    const member = await alliance.member({ coffee: 1_000_000n });
    const item = await publish(airline, { pricePoints: '7', stock: '50', title: 'Flash: popcorn' });
    const quotes = await Promise.all(
      Array.from(
        { length: 500 },
        async () => ((await (await priceQuote(coffee, member, item.id)).json()) as { id: string }).id,
      ),
    );
    const answers = await Promise.all(quotes.map((quoteId) => order(coffee, quoteId)));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 202)).toHaveLength(50);
    expect(statuses.filter((status) => status === 409)).toHaveLength(450);
    for (const refused of answers.filter((answer) => answer.status === 409).slice(0, 5)) {
      expect(((await refused.json()) as { code: string }).code).toBe('sold_out');
    }
    expect(await stockLeft(item.id)).toBe(0n);
    const accepted = await Promise.all(
      answers.filter((answer) => answer.status === 202).map(async (answer) => (await answer.json()) as Order),
    );
    const done = await Promise.all(accepted.map((placed) => settled(coffee, placed.id)));
    expect(done.every((placed) => placed.status === 'completed')).toBe(true);
    expect(new Set(done.map((placed) => placed.coupon?.code)).size).toBe(50);
    expect(await alliance.balance(coffee, member)).toBe(1_000_000n - 50n * 10n);
  }, 180_000);

  it('answers a sold-out order from its key’s claim alone, the same answer on a retry of the key', async () => {
    const member = await alliance.member({ coffee: 10_000n });
    const item = await publish(airline, { pricePoints: '7', stock: '1', title: 'Flash: last seat' });
    const [first, second] = await Promise.all(
      [1, 2].map(
        async () => ((await (await priceQuote(coffee, member, item.id)).json()) as { id: string }).id,
      ),
    );
    expect((await order(coffee, first as string)).status).toBe(202);
    const key = `sold-out-${item.id}`;
    const again = () =>
      gateway.call(coffee.signer, 'POST', '/v1/catalog/orders', {
        body: { quoteId: second },
        idempotencyKey: key,
      });
    const refused = await again();
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const { requestId, ...problem } = (await refused.json()) as { requestId: string };
    expect(problem).toMatchObject({ code: 'sold_out', detail: `Item ${item.id} is sold out.` });
    const kept = await gateway.db
      .selectFrom('idempotency_records')
      .select('key')
      .where('key', '=', key)
      .execute();
    expect(kept).toEqual([]);
    const retried = await again();
    expect(retried.status).toBe(409);
    expect(await retried.json()).toEqual({ ...problem, requestId: expect.not.stringMatching(requestId) });
  });

  it('holds the per-member limit under concurrency', async () => {
    const member = await alliance.member({ coffee: 10_000n });
    const item = await publish(airline, { pricePoints: '7', stock: '100', perMemberLimit: 2 });
    const quotes = await Promise.all(
      Array.from(
        { length: 10 },
        async () => ((await (await priceQuote(coffee, member, item.id)).json()) as { id: string }).id,
      ),
    );
    const answers = await Promise.all(quotes.map((quoteId) => order(coffee, quoteId)));
    expect(answers.filter((answer) => answer.status === 202)).toHaveLength(2);
    const refused = answers.filter((answer) => answer.status === 409);
    expect(refused).toHaveLength(8);
    expect(((await (refused[0] as Response).json()) as { code: string }).code).toBe('purchase_limit_reached');
    expect(await stockLeft(item.id)).toBe(98n);
  });
});

describe('an order when the member’s programme fails', () => {
  it('gives back the stock, the count and the code when the points cannot be reserved', async () => {
    const member = await alliance.member({ coffee: 50n });
    const item = await publish(airline, { stock: '5', perMemberLimit: 1, coupon: { codes: 'pool' } });
    await gateway.call(airline.signer, 'POST', `/v1/catalog/items/${item.id}/codes`, {
      body: { codes: ['ONLY-ONE'] },
    });
    // 100 coffee points needed, 50 held: the reservation is refused.
    const failed = await settled(coffee, ((await (await buy(coffee, member, item.id)).json()) as Order).id);
    expect(failed).toMatchObject({
      status: 'failed',
      failure: { code: 'insufficient_points' },
      coupon: null,
    });
    expect(await stockLeft(item.id)).toBe(5n);
    const codes = await gateway.db
      .selectFrom('catalog_codes')
      .selectAll()
      .where('item_id', '=', item.id)
      .execute();
    expect(codes).toEqual([
      expect.objectContaining({ code: 'ONLY-ONE', status: 'available', order_id: null }),
    ]);
    // The member's one purchase was given back too: with points, they can buy it now.
    const richer = await alliance.member({ coffee: 500n });
    expect(
      (await settled(coffee, ((await (await buy(coffee, richer, item.id)).json()) as Order).id)).status,
    ).toBe('completed');
  });

  it('voids the reservation and gives everything back when the post is refused', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const item = await publish(airline, { stock: '5' });
    alliance.fault(coffee, { operation: 'post', mode: 'refuse', code: 'reservation_expired' });
    const failed = await settled(coffee, ((await (await buy(coffee, member, item.id)).json()) as Order).id);
    expect(failed).toMatchObject({ status: 'failed', failure: { code: 'reservation_expired' } });
    expect(await alliance.balance(coffee, member)).toBe(1_000n);
    expect(await stockLeft(item.id)).toBe(5n);
  });

  it('carries on once when the member’s programme answered but the answer was lost', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const item = await publish(airline, { stock: '5' });
    alliance.fault(coffee, { operation: 'reserve', mode: 'fail_after' });
    const done = await settled(coffee, ((await (await buy(coffee, member, item.id)).json()) as Order).id);
    expect(done.status).toBe('completed');
    expect(await alliance.balance(coffee, member)).toBe(900n);
  });
});

describe('the webhooks this file’s partners received', () => {
  it('are each as the OpenAPI document describes them', () =>
    expectReceivedAsDocumented([coffee, airline], ['catalog.order_completed']));
});
