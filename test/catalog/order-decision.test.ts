// The order decided in one statement (store/catalog-order-decision.ts) keeps every guarantee the
// transaction it replaced kept: the last units and the per-member limit under concurrency, a refusal
// after the stock was taken rolling all of it back, a refusal before it giving the key back in the
// same statement, and a key retried after its order committed finding that order. Method: the
// flash sale's data (bench/lib/flash-sale-data.ts) in a database of this file's own, orders placed
// with the claim and placeOrder as the route runs them, on real PostgreSQL.
import { describe, expect, it } from 'vitest';
import { flashIds, flashQuoteId } from '../../bench/lib/flash-sale-data.ts';
import { ProblemError } from '../../domain/errors.ts';
import { placeOrder, soldOutBeforeClaim } from '../../services/catalog-orders.ts';
import { createServiceContext } from '../../services/context.ts';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
} from '../../store/idempotency.ts';
import { useFlashSaleDatabase } from '../support/flash-sale.ts';

const members = 40;
const { db, admin, item, anotherQuote } = await useFlashSaleDatabase('order_decision', members);

const principal = flashIds.buyer;
const orders = { ...createServiceContext(db), startOrder: async () => undefined };

/** What the route and the middleware do: claim the key, place the order, release the key on a refusal. */
async function attempt(quoteId: string, key: string, lockSeconds = 10) {
  const claim = await claimIdempotencyKey(db, { principal, key, requestHash: `hash-${key}`, lockSeconds });
  if (claim.outcome !== 'claimed') throw new Error(`key ${key}: ${claim.outcome}`);
  const idempotency = { principal, key, effectId: claim.effectId, released: false };
  try {
    const placed = await placeOrder(orders, { partnerId: principal, quoteId, idempotency, now: new Date() });
    return { answer: 'reserved', placed, released: idempotency.released };
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    const releasedByStatement = idempotency.released;
    if (!releasedByStatement) await releaseIdempotencyKey(db, principal, key);
    return { answer: error.code, placed: undefined, released: releasedByStatement, problem: error };
  }
}

/**
 * What the order route's claim does (gateway/routes/catalog.ts): the key claimed with the jti and
 * the sold-out check in one statement, then the order as `attempt` places it.
 */
async function attemptWithCheck(quoteId: string, key: string) {
  const soldOut = soldOutBeforeClaim({ partnerId: principal, quoteId, now: new Date() });
  const claim = await claimIdempotencyKey(db, {
    principal,
    key,
    requestHash: `hash-${key}`,
    lockSeconds: 10,
    jti: { issuer: principal, jti: `${key}-${Math.random()}`, expiresAt: new Date(Date.now() + 60_000) },
    insertWith: soldOut.claim,
    asyncCommit: true,
  });
  if (claim.outcome === 'refused') {
    const problem = soldOut.problem(claim.refusal);
    return { answer: problem.code, problem, byClaim: true, claim };
  }
  if (claim.outcome !== 'claimed') return { answer: `claim_${claim.outcome}`, byClaim: false, claim };
  const idempotency = { principal, key, effectId: claim.effectId, released: false };
  try {
    const placed = await placeOrder(orders, { partnerId: principal, quoteId, idempotency, now: new Date() });
    return { answer: 'reserved', placed, byClaim: false, claim };
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    if (!idempotency.released) await releaseIdempotencyKey(db, principal, key);
    return { answer: error.code, problem: error, byClaim: false, claim };
  }
}

async function state(itemId: string) {
  const { rows } = await admin.query<{
    orders: string;
    stock_left: string;
    bought: string;
    bound_keys: string;
  }>(
    `select (select count(*) from catalog_orders where item_id = $1) as orders,
       (select stock_left from catalog_items where id = $1) as stock_left,
       (select coalesce(sum(bought), 0) from catalog_member_purchases where item_id = $1) as bought,
       (select count(*) from idempotency_records where effect_id in (select id from catalog_orders where item_id = $1)) as bound_keys`,
    [itemId],
  );
  const row = rows[0];
  return {
    orders: Number(row?.orders),
    stockLeft: Number(row?.stock_left),
    bought: Number(row?.bought),
    boundKeys: Number(row?.bound_keys),
  };
}

async function keyRecord(key: string) {
  const { rows } = await admin.query('select * from idempotency_records where principal = $1 and key = $2', [
    principal,
    key,
  ]);
  return rows[0];
}

describe('the order decided in one statement', () => {
  it('sells the last units once under concurrency, each member at most its limit', async () => {
    const { itemId, round } = await item(3);
    // Ten members, each with four quotes ordered at once: 40 orders for 3 units, one per member.
    const quoteIds: string[] = [];
    for (let member = 1; member <= 10; member += 1) {
      quoteIds.push(flashQuoteId(round, member));
      for (const suffix of ['b', 'c', 'd']) quoteIds.push(await anotherQuote(round, member, suffix));
    }
    const answers = await Promise.all(quoteIds.map((quoteId, n) => attempt(quoteId, `last-${round}-${n}`)));
    const reserved = answers.filter((answer) => answer.answer === 'reserved');
    expect(reserved).toHaveLength(3);
    expect(new Set(reserved.map((answer) => answer.placed?.order.member_id)).size).toBe(3);
    expect(
      answers.every((answer) => ['reserved', 'sold_out', 'purchase_limit_reached'].includes(answer.answer)),
    ).toBe(true);
    expect(await state(itemId)).toEqual({ orders: 3, stockLeft: 0, bought: 3, boundKeys: 3 });
  });

  it('rolls the stock back when the member’s limit refuses the order, and gives the key back', async () => {
    const { itemId, round } = await item(5);
    expect((await attempt(flashQuoteId(round, 1), `limit-${round}-1`)).answer).toBe('reserved');
    const second = await anotherQuote(round, 1, 'again');
    const refused = await attempt(second, `limit-${round}-2`);
    // Refused after the stock was taken: the statement failed, so the caller released the key.
    expect(refused).toMatchObject({ answer: 'purchase_limit_reached', released: false });
    expect(await keyRecord(`limit-${round}-2`)).toBeUndefined();
    expect(await state(itemId)).toEqual({ orders: 1, stockLeft: 4, bought: 1, boundKeys: 1 });
  });

  it('answers sold out with the key given back in the same statement', async () => {
    const { itemId, round } = await item(1);
    expect((await attempt(flashQuoteId(round, 1), `sold-${round}-1`)).answer).toBe('reserved');
    const refused = await attempt(flashQuoteId(round, 2), `sold-${round}-2`);
    expect(refused).toMatchObject({ answer: 'sold_out', released: true });
    expect(await keyRecord(`sold-${round}-2`)).toBeUndefined();
    expect(await state(itemId)).toEqual({ orders: 1, stockLeft: 0, bought: 1, boundKeys: 1 });
  });

  it('finds the order a key placed when the key is retried after its run died', async () => {
    const { itemId, round } = await item(5);
    const key = `retry-${round}`;
    // The first run placed the order (the key bound with it) and died before storing its reply.
    const first = await attempt(flashQuoteId(round, 1), key, 1);
    expect(first.answer).toBe('reserved');
    expect(await keyRecord(key)).toMatchObject({ status: 'in_progress', effect_id: first.placed?.order.id });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // The retry takes the lease over, finds the bound order and places nothing more.
    const retry = await attempt(flashQuoteId(round, 1), key);
    expect(retry).toMatchObject({ answer: 'reserved', placed: { created: true } });
    expect(retry.placed?.order.id).toBe(first.placed?.order.id);
    expect(await state(itemId)).toEqual({ orders: 1, stockLeft: 4, bought: 1, boundKeys: 1 });
  });

  it('answers two keys ordering one quote at once with the one order', async () => {
    const { itemId, round } = await item(5);
    const quoteId = flashQuoteId(round, 1);
    const answers = await Promise.all([1, 2, 3].map((n) => attempt(quoteId, `twice-${round}-${n}`)));
    const ids = new Set(answers.map((answer) => answer.placed?.order.id));
    expect(ids.size).toBe(1);
    expect(answers.filter((answer) => answer.placed?.created)).toHaveLength(1);
    expect(await state(itemId)).toEqual({ orders: 1, stockLeft: 4, bought: 1, boundKeys: 1 });
  });

  it('answers sold out from the claim statement itself, claiming nothing, the same answer on retry', async () => {
    const { itemId, round } = await item(1);
    expect((await attemptWithCheck(flashQuoteId(round, 1), `check-${round}-1`)).answer).toBe('reserved');
    // The decision's own sold-out answer (no check in the claim), for comparison.
    const decided = await attempt(flashQuoteId(round, 2), `check-${round}-2`);
    const key = `check-${round}-3`;
    const first = await attemptWithCheck(flashQuoteId(round, 3), key);
    expect(first).toMatchObject({ answer: 'sold_out', byClaim: true });
    expect(first.problem?.detail).toBe(`Item ${itemId} is sold out.`);
    expect(first.problem?.message).toBe(decided.problem?.message);
    expect({ ...first.problem }).toEqual({ ...decided.problem });
    expect(await keyRecord(key)).toBeUndefined();
    // The same key again (a new signature): sold out again, and still nothing kept under the key.
    expect(await attemptWithCheck(flashQuoteId(round, 3), key)).toMatchObject({
      answer: 'sold_out',
      byClaim: true,
    });
    expect(await keyRecord(key)).toBeUndefined();
    // Restocked: the retried key orders, as a retry of a released key always could.
    await admin.query('update catalog_items set stock_left = 1 where id = $1', [itemId]);
    const restocked = await attemptWithCheck(flashQuoteId(round, 3), key);
    expect(restocked).toMatchObject({ answer: 'reserved', byClaim: false });
    expect(await state(itemId)).toEqual({ orders: 2, stockLeft: 0, bought: 2, boundKeys: 2 });
  });

  it('leaves a key with a record, and every refusal but sold out, to the usual path', async () => {
    const { round } = await item(1);
    expect((await attemptWithCheck(flashQuoteId(round, 1), `usual-${round}-1`)).answer).toBe('reserved');
    // A key answered before replays its answer, even though the item is now sold out.
    const key = `usual-${round}-2`;
    await admin.query(
      `insert into idempotency_records (principal, key, request_hash, status, locked_until)
       values ($1, $2, $3, 'in_progress', now() + interval '10 seconds')`,
      [principal, key, `hash-${key}`],
    );
    await completeIdempotencyKey(db, {
      principal,
      key,
      status: 418,
      contentType: 'text/plain',
      body: 'first',
    });
    const replayed = await attemptWithCheck(flashQuoteId(round, 2), key);
    expect(replayed).toMatchObject({ byClaim: false, claim: { outcome: 'existing' } });
    // An expired quote for a sold-out item is refused as expired, by the decision, as before.
    await admin.query(`update quotes set expires_at = now() - interval '1 second' where id = $1`, [
      flashQuoteId(round, 3),
    ]);
    expect(await attemptWithCheck(flashQuoteId(round, 3), `usual-${round}-3`)).toMatchObject({
      answer: 'quote_expired',
      byClaim: false,
    });
    // The quote this member already ordered answers with its order, not sold out.
    const again = await attemptWithCheck(flashQuoteId(round, 1), `usual-${round}-4`);
    expect(again).toMatchObject({ answer: 'reserved', byClaim: false, placed: { created: false } });
  });
});
