// A flash sale's orders go many to a statement (store/catalog-order-decision-batch.ts, with their
// claims and replies: store/statement-batcher.ts). A gateway SIGKILLed in the middle of the sale,
// with orders waiting in its batches, in a statement, committed but not yet answered, and started
// again, must not sell a unit twice or lose one: every order request, retried under its key until
// it is answered, ends with exactly one answer, the stock is sold exactly once, each placed order
// has exactly one key and one quote, a key answered before the kill answers the same order after
// it, and every placed order completes (the member's points moved once each).
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { useOwnTestDatabaseAt } from '../support/database.ts';
import { startChaosAlliance } from './alliance.ts';

const { db, url: databaseUrl } = await useOwnTestDatabaseAt('order_crash', 2);
const attempts = 150;
const stock = 30;
const alliance = await startChaosAlliance({
  databaseUrl,
  temporalAddress: inject('temporalAddress'),
  members: 1,
  seedPoints: 100_000n,
  connectionsMax: attempts,
  // A key whose run died is free again after 2 s, so that its retry runs.
  env: { IDEMPOTENCY_LOCK_SECONDS: '2' },
});
afterAll(() => alliance.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  status: number;
  code?: string;
  orderId?: string;
}

const { alpha, beta } = alliance.programs;
const memberId = alliance.members[0]?.memberId ?? '';

async function orderOnce(quoteId: string, key: string): Promise<Answer> {
  const response = await alpha.client.call({
    method: 'POST',
    path: '/v1/catalog/orders',
    body: { quoteId },
    idempotencyKey: key,
  });
  const body = response.json<{ code?: string; id?: string }>();
  return { status: response.status, code: body.code, orderId: response.status < 300 ? body.id : undefined };
}

/** Asks again under the same key (a fresh token each time) until the gateway gives a final answer. */
async function answered(quoteId: string, key: string): Promise<Answer> {
  for (let attempt = 0; attempt < 120; attempt += 1) {
    const answer = await orderOnce(quoteId, key).catch(() => undefined);
    const final =
      answer &&
      (answer.status === 200 ||
        answer.status === 202 ||
        (answer.status === 409 && answer.code !== 'idempotency_request_in_progress'));
    if (final) return answer;
    await sleep(250);
  }
  throw new Error(`order key ${key} was never answered`);
}

describe('a crash of the gateway in a flash sale', () => {
  it('sells the stock exactly once, each order with one key, through a SIGKILL mid-sale', {
    timeout: 300_000,
  }, async () => {
    const published = await beta.client.call({
      method: 'POST',
      path: '/v1/catalog/items',
      body: {
        programId: beta.programId,
        kind: 'coupon',
        title: 'Flash: crash sale',
        description: 'A unit sold once, whatever happens to the gateway',
        tags: ['flash'],
        pricePoints: '9',
        stock: String(stock),
        coupon: { validity: { days: 30 }, terms: '' },
      },
    });
    expect(published.status).toBe(201);
    const itemId = published.json<{ id: string }>().id;
    const quoteIds: string[] = [];
    for (let index = 0; index < attempts; index += 1) {
      const quote = await alpha.client.call({
        method: 'POST',
        path: '/v1/catalog/quotes',
        body: { memberId, programId: alpha.programId, itemId },
      });
      expect(quote.status).toBe(201);
      quoteIds.push(quote.json<{ id: string }>().id);
    }
    const keys = quoteIds.map(() => `crash-sale-${randomUUID()}`);

    // Every order at once; the gateway is killed as the first answers come back.
    let answers = 0;
    let killed: Promise<void> | undefined;
    const first = await Promise.allSettled(
      quoteIds.map((quoteId, index) =>
        orderOnce(quoteId, keys[index] as string).then((answer) => {
          answers += 1;
          if (answers === 10) killed = alliance.gateway.kill();
          return answer;
        }),
      ),
    );
    await killed;
    const lost = first.filter((result) => result.status === 'rejected').length;
    // The kill came mid-sale: some requests were answered, some were not.
    expect(lost).toBeGreaterThan(0);
    await alliance.gateway.start();

    const finals = await Promise.all(
      quoteIds.map(async (quoteId, index) => {
        const before = first[index];
        const answer = before?.status === 'fulfilled' && before.value.status < 500 ? before.value : undefined;
        const isFinal =
          answer && (answer.status !== 409 || answer.code !== 'idempotency_request_in_progress');
        return {
          before: isFinal ? answer : undefined,
          final: isFinal ? answer : await answered(quoteId, keys[index] as string),
        };
      }),
    );
    const placed = finals.filter(({ final }) => final.status === 202 || final.status === 200);
    const soldOut = finals.filter(({ final }) => final.status === 409 && final.code === 'sold_out');
    expect(placed).toHaveLength(stock);
    expect(soldOut).toHaveLength(attempts - stock);
    const orderIds = new Set(placed.map(({ final }) => final.orderId));
    expect(orderIds.size).toBe(stock);

    // A key answered before the kill answers the same order after it.
    for (const [index, { before }] of finals.entries()) {
      if (before?.status !== 202) continue;
      const again = await orderOnce(quoteIds[index] as string, keys[index] as string);
      expect(again).toMatchObject({ status: 202, orderId: before.orderId });
    }

    const rows = await db
      .selectFrom('catalog_orders')
      .select(['id', 'quote_id'])
      .where('item_id', '=', itemId)
      .execute();
    expect(new Set(rows.map((row) => row.id))).toEqual(orderIds);
    expect(new Set(rows.map((row) => row.quote_id)).size).toBe(stock);
    const item = await db
      .selectFrom('catalog_items')
      .select('stock_left')
      .where('id', '=', itemId)
      .executeTakeFirstOrThrow();
    expect(item.stock_left).toBe(0n);
    const bound = await db
      .selectFrom('idempotency_records')
      .select(['key', 'effect_id'])
      .where('key', 'in', keys)
      .where('effect_id', 'is not', null)
      .execute();
    expect(bound).toHaveLength(stock);
    expect(new Set(bound.map((row) => row.effect_id))).toEqual(orderIds);

    // Every placed order completes once: its points reserved and posted at the member's programme.
    for (let waited = 0; waited < 120; waited += 1) {
      const pending = await db
        .selectFrom('catalog_orders')
        .select('id')
        .where('item_id', '=', itemId)
        .where('status', '!=', 'completed')
        .execute();
      if (pending.length === 0) break;
      await sleep(500);
    }
    const completed = await db
      .selectFrom('catalog_orders')
      .select(({ fn }) => fn.countAll<string>().as('count'))
      .where('item_id', '=', itemId)
      .where('status', '=', 'completed')
      .executeTakeFirstOrThrow();
    expect(Number(completed.count)).toBe(stock);
  });
});
