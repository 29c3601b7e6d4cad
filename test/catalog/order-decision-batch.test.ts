// Orders and their claims decided many in one statement (store/catalog-order-decision-batch.ts,
// store/catalog-sold-out.ts) answer each order as the one-order statement would: the stock given in
// order of arrival and never below zero, the rest sold out with their keys given back, a member's
// second order in a batch left to the one-order statement, a refusal after the stock rolling the
// whole batch back, a jti seen before refused. Method: the flash sale's data
// (bench/lib/flash-sale-data.ts) in a database of this file's own, on real PostgreSQL.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { flashIds, flashMemberId, flashQuoteId } from '../../bench/lib/flash-sale-data.ts';
import { soldOutBeforeClaim } from '../../services/catalog-orders.ts';
import { type DecisionInput, decideOrder } from '../../store/catalog-order-decision.ts';
import { decideOrders, decideOrderWithOthers } from '../../store/catalog-order-decision-batch.ts';
import { claimIdempotencyKey } from '../../store/idempotency.ts';
import { alone } from '../../store/statement-batcher.ts';
import { useFlashSaleDatabase } from '../support/flash-sale.ts';

const members = 60;
const { db, admin, item, anotherQuote } = await useFlashSaleDatabase('order_batch', members);

const principal = flashIds.buyer;

/** The key claimed as the route claims it, and the decision's input for the member's quote. */
async function claimed(round: number, member: number, quoteId = flashQuoteId(round, member)) {
  const key = `batch-${round}-${member}-${randomUUID()}`;
  await admin.query(
    `insert into idempotency_records (principal, key, request_hash, status, locked_until)
     values ($1, $2, 'hash', 'in_progress', now() + interval '10 seconds')`,
    [principal, key],
  );
  return {
    orderId: `ord_batch_${round}_${member}_${randomUUID().slice(0, 8)}`,
    quoteId,
    partnerId: principal,
    idempotency: { principal, key },
    now: new Date(),
  } satisfies DecisionInput;
}

/** Members 1 to count, each with its quote and its key claimed. */
async function claimedEach(round: number, count: number): Promise<DecisionInput[]> {
  const inputs: DecisionInput[] = [];
  for (let member = 1; member <= count; member += 1) inputs.push(await claimed(round, member));
  return inputs;
}

async function keysLeft(inputs: DecisionInput[]): Promise<number> {
  const { rows } = await admin.query<{ count: string }>(
    'select count(*) from idempotency_records where principal = $1 and key = any($2)',
    [principal, inputs.map((input) => input.idempotency.key)],
  );
  return Number(rows[0]?.count);
}

async function state(itemId: string) {
  const { rows } = await admin.query<{ orders: string; stock_left: string; bought: string }>(
    `select (select count(*) from catalog_orders where item_id = $1) as orders,
       (select stock_left from catalog_items where id = $1) as stock_left,
       (select coalesce(sum(bought), 0) from catalog_member_purchases where item_id = $1) as bought`,
    [itemId],
  );
  return {
    orders: Number(rows[0]?.orders),
    stockLeft: Number(rows[0]?.stock_left),
    bought: Number(rows[0]?.bought),
  };
}

describe('orders decided together', () => {
  it('gives the stock to the first orders of the batch and answers the rest sold out, keys given back', async () => {
    const { itemId, round } = await item(4);
    const inputs = await claimedEach(round, 10);
    const decided = await decideOrders(db, inputs);
    expect(decided.map((decision) => (decision === alone ? 'alone' : decision.outcome))).toEqual([
      ...Array(4).fill('placed'),
      ...Array(6).fill('not_placed'),
    ]);
    for (const decision of decided.slice(4)) expect(decision).toMatchObject({ released: true });
    // Each placed order is the member's own, with its key bound to it.
    decided.slice(0, 4).forEach((decision, index) => {
      expect(decision).toMatchObject({
        outcome: 'placed',
        order: { id: inputs[index]?.orderId, member_id: flashMemberId(index + 1), status: 'reserved' },
        step: { step: 'reserved', detail: `quote ${inputs[index]?.quoteId}` },
      });
    });
    expect(await keysLeft(inputs)).toBe(4);
    expect(await state(itemId)).toEqual({ orders: 4, stockLeft: 0, bought: 4 });
  });

  it('leaves a member’s second order, and a member at the limit, to the one-order statement', async () => {
    const { itemId, round } = await item(10);
    const earlier = await claimed(round, 1);
    expect((await decideOrder(db, earlier)).outcome).toBe('placed');
    const again = await anotherQuote(round, 2, 'again');
    const more = await anotherQuote(round, 1, 'more');
    const inputs = [
      await claimed(round, 1),
      await claimed(round, 2),
      await claimed(round, 2, again),
      await claimed(round, 3),
      await claimed(round, 1, more),
    ];
    // The first is the quote member 1 already ordered with: answered with that order's facts.
    const decided = await decideOrders(db, inputs);
    expect(decided[0]).toMatchObject({ outcome: 'not_placed', released: false });
    expect(decided[1]).toMatchObject({ outcome: 'placed' });
    expect(decided[2]).toBe(alone);
    expect(decided[3]).toMatchObject({ outcome: 'placed' });
    // Member 1 bought its one already (as the snapshot sees it): left to the one-order statement.
    expect(decided[4]).toBe(alone);
    // Through the batcher, the second order of member 2 is refused by its limit, alone.
    const third = await claimed(round, 2, again);
    await expect(decideOrderWithOthers(db, third)).resolves.toMatchObject({
      outcome: 'rolled_back',
      reason: 'purchase_limit_reached',
    });
    expect(await state(itemId)).toEqual({ orders: 3, stockLeft: 7, bought: 3 });
  });

  it('writes nothing of a batch refused after its stock, and then decides each order alone', async () => {
    const { itemId, round } = await item(5);
    const inputs = await claimedEach(round, 3);
    // A key bound to another order by a run that lost its lease: refused after the stock is taken.
    await admin.query('update idempotency_records set effect_id = $1 where principal = $2 and key = $3', [
      'ord_elsewhere',
      principal,
      inputs[1]?.idempotency.key,
    ]);
    await expect(decideOrders(db, inputs)).rejects.toMatchObject({ hint: 'catalog_order_refused' });
    expect(await state(itemId)).toEqual({ orders: 0, stockLeft: 5, bought: 0 });
    const answers = await Promise.all(inputs.map((input) => decideOrderWithOthers(db, input)));
    expect(answers.map((answer) => answer.outcome)).toEqual(['placed', 'rolled_back', 'placed']);
    expect(await state(itemId)).toEqual({ orders: 2, stockLeft: 3, bought: 2 });
  });

  it('gives each item of a batch its own stock', async () => {
    const first = await item(2);
    const second = await item(3);
    const inputs = [...(await claimedEach(first.round, 4)), ...(await claimedEach(second.round, 4))];
    const decided = await decideOrders(db, inputs);
    const outcomes = decided.map((decision) => (decision === alone ? 'alone' : decision.outcome));
    expect(outcomes).toEqual([
      'placed',
      'placed',
      'not_placed',
      'not_placed',
      'placed',
      'placed',
      'placed',
      'not_placed',
    ]);
    expect(await state(first.itemId)).toEqual({ orders: 2, stockLeft: 0, bought: 2 });
    expect(await state(second.itemId)).toEqual({ orders: 3, stockLeft: 0, bought: 3 });
  });

  it('holds a pool code for each order, and when the pool runs short decides each order alone', async () => {
    const { itemId, round } = await item(5);
    await admin.query(`update catalog_items set code_source = 'pool' where id = $1`, [itemId]);
    await admin.query(
      `insert into catalog_codes (item_id, code, status) select $1, 'POOL-' || n, 'available'
       from generate_series(1, 3) n`,
      [itemId],
    );
    const pair = await claimedEach(round, 2);
    const decided = await decideOrders(db, pair);
    const held = decided.map((decision) =>
      decision !== alone && decision.outcome === 'placed' ? decision.order.held_code : undefined,
    );
    expect(new Set(held)).toEqual(new Set(['POOL-1', 'POOL-2']));
    // Three more orders for the last code: the batch fails on the dry pool, writes nothing, and each
    // order is decided alone: one gets the last code, the others are refused with nothing taken.
    const more = (await claimedEach(round, 5)).slice(2);
    await expect(decideOrders(db, more)).rejects.toMatchObject({ message: 'pool_dry' });
    const answers = await Promise.all(more.map((input) => decideOrderWithOthers(db, input)));
    expect(answers.filter((answer) => answer.outcome === 'placed')).toHaveLength(1);
    expect(
      answers.filter((answer) => answer.outcome === 'rolled_back' && answer.reason === 'pool_dry'),
    ).toHaveLength(2);
    expect(await state(itemId)).toEqual({ orders: 3, stockLeft: 2, bought: 3 });
  });

  it('sells exactly the stock to many orders at once, in batches', async () => {
    const { itemId, round } = await item(25);
    const inputs = await claimedEach(round, members);
    const answers = await Promise.all(inputs.map((input) => decideOrderWithOthers(db, input)));
    expect(answers.filter((answer) => answer.outcome === 'placed')).toHaveLength(25);
    expect(answers.filter((answer) => answer.outcome === 'not_placed')).toHaveLength(members - 25);
    expect(await keysLeft(inputs)).toBe(25);
    expect(await state(itemId)).toEqual({ orders: 25, stockLeft: 0, bought: 25 });
  });
});

describe('order claims made together', () => {
  it('refuses sold-out orders claiming nothing, claims the rest, and refuses a jti seen before', async () => {
    const { itemId, round } = await item(0);
    const { round: openRound } = await item(5);
    const jti = { issuer: principal, jti: randomUUID(), expiresAt: new Date(Date.now() + 60_000) };
    const claim = (quoteId: string, key: string, withJti = { ...jti, jti: randomUUID() }) => {
      const refusal = soldOutBeforeClaim({ partnerId: principal, quoteId, now: new Date() });
      return claimIdempotencyKey(db, {
        principal,
        key,
        requestHash: `hash-${key}`,
        lockSeconds: 10,
        jti: withJti,
        asyncCommit: true,
        insertWith: refusal.claim,
      });
    };
    const answers = await Promise.all([
      ...Array.from({ length: 20 }, (_, n) => claim(flashQuoteId(round, n + 1), `sold-${round}-${n}`)),
      ...Array.from({ length: 5 }, (_, n) => claim(flashQuoteId(openRound, n + 1), `open-${round}-${n}`)),
      claim(flashQuoteId(openRound, 6), `first-${round}`, jti),
    ]);
    expect(answers.slice(0, 20).every((answer) => answer.outcome === 'refused')).toBe(true);
    expect(answers[0]).toMatchObject({ refusal: { item_id: itemId } });
    expect(answers.slice(20).every((answer) => answer.outcome === 'claimed')).toBe(true);
    // The same jti again: a replay, whatever it asks.
    expect(await claim(flashQuoteId(openRound, 7), `second-${round}`, jti)).toEqual({ outcome: 'replayed' });
    const { rows } = await admin.query<{ count: string }>(
      'select count(*) from idempotency_records where key like $1',
      [`sold-${round}-%`],
    );
    expect(Number(rows[0]?.count)).toBe(0);
  });
});
