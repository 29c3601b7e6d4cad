// A catalog order whose run failed before it ended the order (its bookkeeping could not reach the
// database for the hour it retries, or an operator terminated it) is run again by the stranded
// sweep, and takes the member's points once; and one whose post was applied though every answer was
// lost completes, asked about rather than voided, and one whose post cannot even be asked about keeps
// its stock and is flagged for finance. A database of its own: the sweep drives every order.
import { describe, expect, it } from 'vitest';
import { completeOrder } from '../../store/catalog-orders.ts';
import { strandedTransfersScheduleId } from '../../workflows/schedules.ts';
import { createAlliance } from '../support/alliance.ts';

const alliance = await createAlliance({
  ownDatabase: 'catalog_stranded',
  strandedTransfers: { untouchedSeconds: 1 },
});
const { gateway, airline, bookstore } = alliance;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function publishLamp(): Promise<{ id: string }> {
  const published = await gateway.call(bookstore.signer, 'POST', '/v1/catalog/items', {
    body: {
      programId: bookstore.programId,
      kind: 'coupon',
      title: 'Reading lamp',
      description: 'Clip-on',
      tags: ['books'],
      pricePoints: '70',
      stock: '10',
      coupon: { validity: { days: 30 }, terms: 'In store' },
    },
  });
  expect(published.status).toBe(201);
  return (await published.json()) as { id: string };
}

/** A coupon of the bookstore's whose validity ends at a fixed instant. */
async function publishEndingAt(until: Date, title: string): Promise<{ id: string }> {
  const published = await gateway.call(bookstore.signer, 'POST', '/v1/catalog/items', {
    body: {
      programId: bookstore.programId,
      kind: 'coupon',
      title,
      pricePoints: '70',
      stock: '10',
      coupon: { validity: { until: until.toISOString() }, terms: 'Tonight only' },
    },
  });
  expect(published.status).toBe(201);
  return (await published.json()) as { id: string };
}

async function buyWithMiles(itemId: string, memberId: string): Promise<{ id: string; status: string }> {
  const quote = await gateway.call(airline.signer, 'POST', '/v1/catalog/quotes', {
    body: { memberId, programId: airline.programId, itemId },
  });
  expect(quote.status).toBe(201);
  const placed = await gateway.call(airline.signer, 'POST', '/v1/catalog/orders', {
    body: { quoteId: ((await quote.json()) as { id: string }).id },
  });
  return (await placed.json()) as { id: string; status: string };
}

async function ended(
  orderId: string,
): Promise<{ id: string; status: string; coupon: { code: string } | null }> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const current = (await (
      await gateway.call(airline.signer, 'GET', `/v1/catalog/orders/${orderId}`)
    ).json()) as {
      id: string;
      status: string;
      coupon: { code: string } | null;
    };
    if (current.status !== 'reserved') return current;
    await sleep(200);
  }
  throw new Error(`order ${orderId} did not end in 60 s`);
}

describe('a catalog order whose run failed', () => {
  it('is run again by the sweep, and pays once', async () => {
    const item = await publishLamp();
    const member = await alliance.member({ airline: 1_000n }, { scopes: ['transfers', 'redemptions'] });
    // The airline holds the miles, every answer is lost, and it cannot be asked either: the run
    // keeps the order reserved, retrying.
    const unanswered = { count: 1_000, accountRefPrefix: member.accounts.airline };
    alliance.fault(airline, { operation: 'reserve', mode: 'fail_after', ...unanswered });
    alliance.fault(airline, { operation: 'outcome', mode: 'fail_before', ...unanswered });
    const order = await buyWithMiles(item.id, member.memberId);
    expect(order.status).toBe('reserved');
    for (let attempt = 0; attempt < 100 && (await alliance.balance(airline, member)) === 1_000n; attempt += 1)
      await sleep(100);
    expect(await alliance.balance(airline, member)).toBe(930n);
    await gateway.temporal.workflow.getHandle(order.id).terminate('the run failed');
    airline.server?.faults.clear();
    await sleep(1_200);
    await gateway.temporal.schedule.getHandle(strandedTransfersScheduleId(gateway.taskQueue)).trigger();
    const current = await ended(order.id);
    // The second run's reservation, under the same key, got the first one's answer: paid once.
    expect(current.status).toBe('completed');
    expect(await alliance.balance(airline, member)).toBe(930n);
  }, 90_000);
});

describe("a coupon whose fixed end passes while its order's run is stopped", () => {
  /**
   * An order of a coupon ending in 3 s, reserved in time, whose post is `mode` and never answered;
   * its run is stopped, and the sweep runs it again after the end. The order as it ended, and the
   * member's miles at the airline.
   */
  async function runAgainPastTheEnd(mode: 'fail_after' | 'fail_before') {
    const until = new Date(Date.now() + 3_000);
    const item = await publishEndingAt(until, 'Late show');
    const member = await alliance.member({ airline: 1_000n }, { scopes: ['transfers', 'redemptions'] });
    const unanswered = { count: 1_000, accountRefPrefix: member.accounts.airline };
    alliance.fault(airline, { operation: 'post', mode, ...unanswered });
    alliance.fault(airline, { operation: 'outcome', mode: 'fail_before', ...unanswered });
    const order = await buyWithMiles(item.id, member.memberId);
    const steps = async () =>
      (
        (await (await gateway.call(airline.signer, 'GET', `/v1/catalog/orders/${order.id}`)).json()) as {
          steps: { step: string; outcome: string }[];
        }
      ).steps;
    for (let attempt = 0; attempt < 100; attempt += 1) {
      if ((await steps()).some((step) => step.step === 'reserve' && step.outcome === 'done')) break;
      await sleep(100);
    }
    await sleep(500);
    await gateway.temporal.workflow.getHandle(order.id).terminate('the run failed');
    airline.server?.faults.clear();
    await sleep(Math.max(0, until.getTime() - Date.now()) + 1_200);
    await gateway.temporal.schedule.getHandle(strandedTransfersScheduleId(gateway.taskQueue)).trigger();
    const current = (await ended(order.id)) as Awaited<ReturnType<typeof ended>> & {
      failure?: { code: string } | null;
    };
    return { current, miles: await airline.server?.books.balance(member.accounts.airline) };
  }

  it('completes an order whose post was applied, paid once, rather than failing it with the points taken', async () => {
    const { current, miles } = await runAgainPastTheEnd('fail_after');
    expect(current.status).toBe('completed');
    expect(miles?.postedPoints).toBe(930n);
  }, 90_000);

  it('fails an order whose post never arrived, takes nothing and holds nothing: its post is fenced, its reservation voided', async () => {
    const { current, miles } = await runAgainPastTheEnd('fail_before');
    expect(current.status).toBe('failed');
    expect(current.failure?.code).toBe('coupon_expired');
    expect(current.coupon).toBeNull();
    expect(miles?.postedPoints).toBe(1_000n);
    // Free now, not when the first run's reservation runs out.
    expect(miles?.availablePoints).toBe(1_000n);
  }, 90_000);
});

describe('a coupon whose fixed end passes while it is being ordered', () => {
  it('is neither ordered past its end, nor reserved for past it, and the order fails with nothing moved', async () => {
    const until = new Date(Date.now() + 2_000);
    const item = await publishEndingAt(until, 'Concert pass');
    const member = await alliance.member({ airline: 1_000n }, { scopes: ['transfers', 'redemptions'] });
    const quote = async () => {
      const quoted = await gateway.call(airline.signer, 'POST', '/v1/catalog/quotes', {
        body: { memberId: member.memberId, programId: airline.programId, itemId: item.id },
      });
      expect(quoted.status).toBe(201);
      return ((await quoted.json()) as { id: string }).id;
    };
    // Placed before the end, its run stopped before the airline answered its reservation.
    alliance.fault(airline, {
      operation: 'reserve',
      mode: 'fail_before',
      count: 1_000,
      accountRefPrefix: member.accounts.airline,
    });
    const early = await gateway.call(airline.signer, 'POST', '/v1/catalog/orders', {
      body: { quoteId: await quote() },
    });
    expect(early.status).toBe(202);
    const order = (await early.json()) as { id: string };
    await gateway.temporal.workflow.getHandle(order.id).terminate('stopped before the reservation');
    airline.server?.faults.clear();
    // Quoted before the end, ordered after it.
    const late = await quote();
    await sleep(until.getTime() - Date.now() + 1_200);
    const refused = await gateway.call(airline.signer, 'POST', '/v1/catalog/orders', {
      body: { quoteId: late },
    });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { code: string }).code).toBe('item_not_on_sale');
    // The sweep runs the stopped order again: its reservation is refused before the airline is asked.
    await gateway.temporal.schedule.getHandle(strandedTransfersScheduleId(gateway.taskQueue)).trigger();
    const done = (await ended(order.id)) as { status: string; failure?: { code: string } | null };
    expect(done.status).toBe('failed');
    expect(done.failure?.code).toBe('coupon_expired');
    expect(await alliance.balance(airline, member)).toBe(1_000n);
    const stock = await gateway.db
      .selectFrom('catalog_items')
      .select('stock_left')
      .where('id', '=', item.id)
      .executeTakeFirstOrThrow();
    expect(stock.stock_left).toBe(10n);
  }, 90_000);
});

describe('a catalog order whose post got no answer', () => {
  it('asks what became of the post, and completes when it was applied', async () => {
    const item = await publishLamp();
    const member = await alliance.member({ airline: 1_000n }, { scopes: ['transfers', 'redemptions'] });
    // The airline posts, and every answer is lost: the post is retried, then asked about.
    alliance.fault(airline, {
      operation: 'post',
      mode: 'fail_after',
      count: 1_000,
      accountRefPrefix: member.accounts.airline,
    });
    const order = await buyWithMiles(item.id, member.memberId);
    const done = await ended(order.id);
    airline.server?.faults.clear();
    expect(done.status).toBe('completed');
    expect(done.coupon?.code).toBeTruthy();
    expect(await alliance.balance(airline, member)).toBe(930n);

    // The order's ending again (its answer lost to the workflow) hands on the webhooks still waiting.
    const eventId = `${order.id}:catalog.order_completed`;
    await expect
      .poll(async () =>
        (
          await gateway.db
            .selectFrom('webhook_deliveries')
            .select('status')
            .where('event_id', '=', eventId)
            .execute()
        ).every((row) => row.status === 'delivered'),
      )
      .toBe(true);
    const waiting = await gateway.db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending' })
      .where('event_id', '=', eventId)
      .returning('id')
      .execute();
    expect(waiting.length).toBeGreaterThan(0);
    const handedOn = await completeOrder(gateway.db, {
      orderId: order.id,
      generateCode: () => 'unused',
      now: new Date(),
    });
    expect(handedOn.sort()).toEqual(waiting.map((row) => row.id).sort());
  }, 90_000);

  it('keeps what the order holds and flags it for finance when the post cannot even be asked about', async () => {
    const item = await publishLamp();
    const member = await alliance.member({ airline: 1_000n }, { scopes: ['transfers', 'redemptions'] });
    // The post is applied and its answers lost, and the airline cannot be asked what became of it:
    // whether the member paid is not known, so nothing the order holds may be sold to another.
    const unanswered = { count: 1_000, accountRefPrefix: member.accounts.airline };
    alliance.fault(airline, { operation: 'post', mode: 'fail_after', ...unanswered });
    alliance.fault(airline, { operation: 'outcome', mode: 'fail_before', ...unanswered });
    const order = await buyWithMiles(item.id, member.memberId);
    const done = await ended(order.id);
    airline.server?.faults.clear();
    expect(done.status).toBe('needs_attention');
    expect(done.coupon).toBeNull();
    expect(await alliance.balance(airline, member)).toBe(930n);
    const held = await gateway.db
      .selectFrom('catalog_items')
      .select('stock_left')
      .where('id', '=', item.id)
      .executeTakeFirstOrThrow();
    expect(held.stock_left).toBe(9n);
    const flags = await gateway.call(gateway.finance, 'GET', '/v1/finance/flags?limit=100');
    const open = (
      (await flags.json()) as { items: { catalogOrderId: string | null; transferId: string | null }[] }
    ).items;
    expect(open.filter((flag) => flag.catalogOrderId === order.id)).toEqual([
      expect.objectContaining({ catalogOrderId: order.id, transferId: null }),
    ]);
  }, 120_000);
});
