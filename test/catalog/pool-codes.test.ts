// Pool codes end to end: a publisher uploads third-party codes, each is issued once, and the till
// reads a code as normalizeCouponCode does (case, hyphens and spaces aside, I and L as 1, O as 0).
// So a publisher never holds two codes the till reads as one: `abc-1` and `ABC1` would be two
// members' coupons, and redeeming one would spend the other's. Real PostgreSQL, Temporal and
// partner servers; a database of this file's own.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { normalizeCouponCode } from '../../domain/coupon-code.ts';
import { type AlliancePartner, createAlliance, type Member } from '../support/alliance.ts';
import { publishCinemaTicket } from '../support/catalog-items.ts';

const alliance = await createAlliance({ ownDatabase: 'catalog_pool_codes' });
const { gateway, coffee, airline } = alliance;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Order {
  id: string;
  status: string;
  coupon: { id: string; code: string; status: string } | null;
}

async function publish(publisher: AlliancePartner, codes: 'pool' | 'generated' = 'pool'): Promise<string> {
  const coupon = { validity: { days: 30 }, terms: 'Not valid on premieres', codes };
  return (await publishCinemaTicket(gateway, publisher, { coupon })).id;
}

/** Uploads codes to the item's pool; how many the answer says were added. */
async function upload(publisher: AlliancePartner, itemId: string, codes: string[]): Promise<number> {
  const response = await gateway.call(publisher.signer, 'POST', `/v1/catalog/items/${itemId}/codes`, {
    body: { codes },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { added: number }).added;
}

async function pool(itemIds: string[]): Promise<string[]> {
  const rows = await gateway.db
    .selectFrom('catalog_codes')
    .select('code')
    .where('item_id', 'in', itemIds)
    .orderBy('code')
    .execute();
  return rows.map((row) => row.code);
}

async function settled(orderId: string): Promise<Order> {
  for (let attempt = 0; attempt < 900; attempt += 1) {
    const current = (await (
      await gateway.call(coffee.signer, 'GET', `/v1/catalog/orders/${orderId}`)
    ).json()) as Order;
    if (current.status !== 'reserved') return current;
    await sleep(100);
  }
  throw new Error(`order ${orderId} did not end in 90 s`);
}

/** The member buys the item with coffee points; the order, completed or not. */
async function buy(member: Member, itemId: string): Promise<Response> {
  const quote = await gateway.call(coffee.signer, 'POST', '/v1/catalog/quotes', {
    body: { memberId: member.memberId, programId: coffee.programId, itemId },
  });
  expect(quote.status).toBe(201);
  const quoteId = ((await quote.json()) as { id: string }).id;
  return gateway.call(coffee.signer, 'POST', '/v1/catalog/orders', { body: { quoteId } });
}

async function bought(member: Member, itemId: string): Promise<Order> {
  const done = await settled(((await (await buy(member, itemId)).json()) as Order).id);
  expect(done.status).toBe('completed');
  return done;
}

async function validate(code: string): Promise<{ valid: boolean; reason: string | null }> {
  const response = await gateway.call(airline.signer, 'POST', '/v1/coupons/validations', { body: { code } });
  return (await response.json()) as { valid: boolean; reason: string | null };
}

async function redeem(code: string): Promise<{ status: number; body: { id?: string; code?: string } }> {
  const response = await gateway.call(airline.signer, 'POST', '/v1/coupons/redemptions', { body: { code } });
  return { status: response.status, body: (await response.json()) as { id?: string; code?: string } };
}

describe('a pool of codes', () => {
  it('issues pool codes once each, and is sold out when the pool runs dry', async () => {
    const member = await alliance.member({ coffee: 10_000n });
    const item = await publish(airline);
    expect(await upload(airline, item, ['PARTNER-A', 'PARTNER-B', 'PARTNER-C', 'PARTNER-A'])).toBe(3);
    // A code the publisher holds in another pool is not added again: a coupon's code is unique per
    // publisher, and the second order would be paid for with no coupon to issue.
    const other = await publish(airline);
    expect(await upload(airline, other, ['PARTNER-B', 'PARTNER-D'])).toBe(1);
    const orders = [];
    for (let index = 0; index < 3; index += 1) orders.push(await bought(member, item));
    expect(orders.map((placed) => placed.coupon?.code).sort()).toEqual([
      'PARTNER-A',
      'PARTNER-B',
      'PARTNER-C',
    ]);
    const dry = await buy(member, item);
    expect(dry.status).toBe(409);
    expect(((await dry.json()) as { code: string }).code).toBe('sold_out');
    const { stock_left } = await gateway.db
      .selectFrom('catalog_items')
      .select('stock_left')
      .where('id', '=', item)
      .executeTakeFirstOrThrow();
    expect(stock_left).toBe(7n);
  });

  it('keeps one of two spellings the till reads as one, and skips any other spelling later', async () => {
    const item = await publish(airline);
    // Two codes given, one added: the first spelling is kept, the second skipped.
    expect(await upload(airline, item, ['abc-1', 'ABC1'])).toBe(1);
    expect(await pool([item])).toEqual(['abc-1']);
    // Another spelling of a held code, to this item or another item of the publisher's, is skipped.
    const other = await publish(airline);
    expect(await upload(airline, other, ['a b c l', 'Abc-2'])).toBe(1);
    expect(await upload(airline, item, ['AbC1', 'abc2', 'ABC-0'])).toBe(1);
    expect(await pool([item, other])).toEqual(['ABC-0', 'Abc-2', 'abc-1']);
    // Another publisher's till is its own: it may hold the same code.
    expect(await upload(coffee, await publish(coffee), ['ABC1'])).toBe(1);
  });

  it('adds one of two spellings uploaded at once to two items', async () => {
    const [first, second] = [await publish(airline), await publish(airline)];
    const added = await Promise.all([
      upload(airline, first, ['RACE-1', 'race-2']),
      upload(airline, second, ['race1', 'RACE 2']),
    ]);
    expect(added[0] + added[1]).toBe(2);
    expect((await pool([first, second])).map(normalizeCouponCode).sort()).toEqual(['RACE1', 'RACE2']);
  });

  it('skips a spelling of a code on a coupon issued', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const generated = (await bought(member, await publish(airline, 'generated'))).coupon?.code ?? '';
    expect(generated).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$/);
    expect(await upload(airline, await publish(airline), [generated.toLowerCase().replaceAll('-', '')])).toBe(
      0,
    );
  });

  it('gives two members two codes, and each redeems their own at the till', async () => {
    const [fourth, fifth] = [
      await alliance.member({ coffee: 1_000n }),
      await alliance.member({ coffee: 1_000n }),
    ];
    const item = await publish(airline);
    expect(await upload(airline, item, ['pair-1', 'PAIR1', 'solo-9'])).toBe(2);
    const [mine, theirs] = [await bought(fourth, item), await bought(fifth, item)];
    const codes = [mine.coupon?.code ?? '', theirs.coupon?.code ?? ''];
    expect([...codes].sort()).toEqual(['pair-1', 'solo-9']);
    for (const placed of [mine, theirs]) {
      const code = placed.coupon?.code ?? '';
      expect(await validate(code)).toMatchObject({ valid: true });
      // The till reads another spelling as this code, and this code only.
      const spelled = code === 'pair-1' ? 'PAIR1' : 'S0L0 9';
      expect(await redeem(spelled)).toMatchObject({ status: 200, body: { id: placed.coupon?.id } });
      expect(await validate(code)).toMatchObject({ valid: false, reason: 'redeemed' });
      expect((await redeem(code)).body).toMatchObject({ code: 'coupon_already_redeemed' });
    }
  });

  it('tells apart, by their exact spelling only, two spellings issued before uploads compared them', async () => {
    const [fourth, fifth] = [
      await alliance.member({ coffee: 1_000n }),
      await alliance.member({ coffee: 1_000n }),
    ];
    const item = await publish(airline);
    // As an upload once let them in: `K1N7` is how the till reads `kin-7`.
    await gateway.db
      .insertInto('catalog_codes')
      .values(['kin-7', 'K1N7'].map((code) => ({ item_id: item, code, status: 'available' as const })))
      .execute();
    const [mine, theirs] = [await bought(fourth, item), await bought(fifth, item)];
    // Neither spelling: it could be either member's coupon, so it is neither.
    expect(await validate('kin7')).toMatchObject({ valid: false, reason: 'unknown' });
    expect((await redeem('KIN 7')).status).toBe(404);
    for (const placed of [mine, theirs]) {
      expect(await redeem(placed.coupon?.code ?? '')).toMatchObject({
        status: 200,
        body: { id: placed.coupon?.id },
      });
    }
  });

  it('reads a code in the database as normalizeCouponCode does, character for character', async () => {
    // Both map each character on its own, so every character alike means every code alike.
    const characters = Array.from({ length: 0xffff }, (_, index) => String.fromCharCode(index + 1)).filter(
      (character) => !/[\ud800-\udfff]/.test(character),
    );
    const codes = [...characters, '😀', '𝐀b-c', ' 7k3m-qx2d-9rtb-h ', 'IlLoO0', 'abc\u3000-\u00a01'];
    const { rows } = await sql<{ key: string }>`
      select coupon_code_key(given.code) as key
      from unnest(${codes}::text[]) with ordinality as given (code, at) order by given.at`.execute(
      gateway.db,
    );
    const differing = codes.filter((code, index) => rows[index]?.key !== normalizeCouponCode(code));
    expect(differing).toEqual([]);
  });
});
