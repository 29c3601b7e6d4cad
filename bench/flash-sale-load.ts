// A flash sale: ATTEMPTS order attempts, one per member, on an item with STOCK left, CONCURRENCY at a
// time, beside a bare conditional decrement (`update … set stock = stock - 1 where … and stock > 0`,
// one row, autocommit) on the same PostgreSQL at the same concurrency, in a database of its own (made,
// migrated and dropped by bench/lib/flash-sale-bench.ts), and beside the floors of
// bench/lib/flash-sale-floors.ts (a jti alone, a sale on one row, a sale on buckets). Prints one line
// per phase on stderr and the figures as JSON on stdout:
// node bench/flash-sale-load.ts URL [attempts] [stock] [concurrency] [rounds]
//
// An attempt is what POST /v1/catalog/orders does against PostgreSQL, in this process: the
// Idempotency-Key claimed with the request's jti (a statement that answers a sold-out order itself
// when the stock is already gone), placeOrder (the order decided in a statement: the quote, the item
// and the member's link read, the stock taken, the member's count, the key bound, the order written;
// a refusal releases the key in that same statement), the reply rendered as the route renders it and
// stored under the key (the claim and the reply committed without waiting for the WAL flush, as the
// route commits them). Each of the three statements is shared by the attempts waiting for one of its
// kind (store/statement-batcher.ts), as in the gateway. The order's workflow is
// not started (startOrder does nothing): it runs after the answer and is not part of the decision.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ProblemError } from '../domain/errors.ts';
import { orderView } from '../gateway/schemas/catalog.ts';
import { placeOrder, readOrder, soldOutBeforeClaim } from '../services/catalog-orders.ts';
import { createServiceContext } from '../services/context.ts';
import { createDatabase } from '../store/connection.ts';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from '../store/idempotency.ts';
import { migrateToLatest } from '../store/migrator.ts';
import { flashIds, flashQuoteId, loadFlashAlliance, loadFlashRound } from './lib/flash-sale-data.ts';
import {
  bucketFloorRound,
  type FloorRun,
  floorBuckets,
  jtiFloorRound,
  saleFloorRound,
} from './lib/flash-sale-floors.ts';
import { progressOf } from './lib/progress.ts';
import { median } from './lib/settlement-data.ts';
import { type LoadResult, summarise } from './lib/stats.ts';

const [url = '', attemptsText = '20000', stockText = '2000', concurrencyText = '50', roundsText = '3'] =
  process.argv.slice(2);
const attempts = Number(attemptsText);
const stock = Number(stockText);
const concurrency = Number(concurrencyText);
const rounds = Number(roundsText);
const warmUpAttempts = 500;
/** Warm-up rounds have items and rows of their own, numbered apart from the measured ones. */
const warmUpRound = (round: number) => 100 + round;

const progress = progressOf('flash-sale');

/** Runs `count` attempts, `concurrency` at a time; each says which answer it got. */
async function drive(count: number, attempt: (n: number) => Promise<string>): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 1;
  const begin = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let n = next++; n <= count; n = next++) {
        const at = performance.now();
        const answer = await attempt(n);
        latencies.push(performance.now() - at);
        statuses[answer] = (statuses[answer] ?? 0) + 1;
      }
    }),
  );
  const answered =
    (statuses.reserved ?? 0) +
    (statuses.sold_out ?? 0) +
    (statuses.decremented ?? 0) +
    (statuses.recorded ?? 0);
  return summarise(latencies, answered, performance.now() - begin, statuses);
}

// Each side's pool is opened (and warmed) for its round and closed after it: the two at once would
// pass PostgreSQL's 100 connections.
const admin = new pg.Client({ connectionString: url });
await admin.connect();

progress('migrating and loading the alliance');
const migrator = createDatabase({ url, poolSizeMax: 1 });
await migrateToLatest(migrator);
await migrator.destroy();
await loadFlashAlliance(admin, attempts);
await admin.query('create table bench_flash_stock (id int primary key, stock int8 not null)');

type Db = ReturnType<typeof createDatabase>;

async function ordersRound(round: number, count: number, itemStock: number) {
  const db = createDatabase({ url, poolSizeMax: concurrency });
  try {
    // Every connection opened and every statement prepared before the timed round.
    await ordersOn(db, warmUpRound(round), warmUpAttempts, 50);
    return await ordersOn(db, round, count, itemStock);
  } finally {
    await db.destroy();
  }
}

async function ordersOn(db: Db, round: number, count: number, itemStock: number) {
  const context = createServiceContext(db);
  const orders = { ...context, startOrder: async () => undefined };
  const { itemId } = await loadFlashRound(admin, { round, stock: itemStock, members: count });
  const principal = flashIds.buyer;
  // When the last unit sold: the selling part (hot row held) apart from the sold-out answers after it.
  const begin = performance.now();
  let reserved = 0;
  let sellingMs = Number.NaN;
  const result = await drive(count, async (n) => {
    const key = `flash-${round}-${n}`;
    const quoteId = flashQuoteId(round, n);
    // The route's claim (gateway/routes/catalog.ts): a sold-out order is answered by it.
    const soldOut = soldOutBeforeClaim({ partnerId: principal, quoteId, now: new Date() });
    const claim = await claimIdempotencyKey(db, {
      principal,
      key,
      requestHash: `hash-${round}-${n}`,
      lockSeconds: 10,
      jti: { issuer: principal, jti: randomUUID(), expiresAt: new Date(Date.now() + 300_000) },
      insertWith: soldOut.claim,
      asyncCommit: true,
    });
    if (claim.outcome === 'refused') return soldOut.problem(claim.refusal).code;
    if (claim.outcome !== 'claimed') return `claim_${claim.outcome}`;
    // What the route does with the claim (gateway/routes/catalog.ts) and the middleware after it.
    const idempotency = { principal, key, effectId: claim.effectId, released: false };
    try {
      const placed = await placeOrder(orders, {
        partnerId: principal,
        quoteId,
        idempotency,
        now: new Date(),
      });
      const view = placed.steps
        ? orderView(placed.order, placed.steps, null)
        : await readOrder(context, principal, placed.order.id).then((read) =>
            orderView(read.order, read.steps, read.coupon),
          );
      await completeIdempotencyKey(db, {
        principal,
        key,
        status: placed.created ? 202 : 200,
        contentType: 'application/json',
        body: JSON.stringify(view),
        asyncCommit: true,
      });
      reserved += 1;
      if (reserved === itemStock) sellingMs = Math.round(performance.now() - begin);
      return placed.order.status;
    } catch (error) {
      if (!idempotency.released) await releaseIdempotencyKey(db, principal, key);
      if (error instanceof ProblemError) return error.code;
      progress(`attempt ${n} failed: ${(error as Error).message}`);
      return 'error';
    }
  });
  const check = await admin.query<{ orders: string; stock_left: string; bought: string }>(
    `select (select count(*) from catalog_orders where item_id = $1) as orders,
       (select stock_left from catalog_items where id = $1) as stock_left,
       (select coalesce(sum(bought), 0) from catalog_member_purchases where item_id = $1) as bought`,
    [itemId],
  );
  const row = check.rows[0];
  return {
    ...result,
    sellingMs,
    sold: Number(row?.orders),
    stockLeft: Number(row?.stock_left),
    bought: Number(row?.bought),
  };
}

async function bareRound(round: number, count: number, rowStock: number) {
  const bare = new pg.Pool({ connectionString: url, max: concurrency });
  try {
    await bareOn(bare, warmUpRound(round), warmUpAttempts, 50);
    return await bareOn(bare, round, count, rowStock);
  } finally {
    await bare.end();
  }
}

async function bareOn(bare: pg.Pool, round: number, count: number, rowStock: number) {
  await admin.query('insert into bench_flash_stock (id, stock) values ($1, $2)', [round, rowStock]);
  const result = await drive(count, async () => {
    const updated = await bare.query({
      name: 'flash_decrement',
      text: 'update bench_flash_stock set stock = stock - 1 where id = $1 and stock > 0',
      values: [round],
    });
    return updated.rowCount === 1 ? 'decremented' : 'sold_out';
  });
  const row = (
    await admin.query<{ stock: string }>('select stock from bench_flash_stock where id = $1', [round])
  ).rows[0];
  return { ...result, sold: result.statuses.decremented ?? 0, stockLeft: Number(row?.stock) };
}

const floorRun: FloorRun = { url, admin, concurrency, warmUpAttempts, drive };

await admin.query('vacuum analyze');

type OrdersFigures = Awaited<ReturnType<typeof ordersRound>>;
const measured: {
  orders: OrdersFigures;
  bare: Awaited<ReturnType<typeof bareRound>>;
  floor: Awaited<ReturnType<typeof jtiFloorRound>>;
  saleFloor: Awaited<ReturnType<typeof saleFloorRound>>;
  bucketFloor: Awaited<ReturnType<typeof bucketFloorRound>>;
  ratio: number;
}[] = [];
for (let round = 1; round <= rounds; round += 1) {
  // Bare first in odd rounds, orders first in even ones: a drift of the shared machine cancels out.
  let orderFigures: OrdersFigures | undefined;
  if (round % 2 === 0) orderFigures = await ordersRound(round, attempts, stock);
  const bareFigures = await bareRound(round, attempts, stock);
  const floorFigures = await jtiFloorRound(floorRun, round, attempts);
  const saleFloorFigures = await saleFloorRound(floorRun, round, attempts, stock);
  const bucketFloorFigures = await bucketFloorRound(floorRun, round, attempts, stock);
  orderFigures ??= await ordersRound(round, attempts, stock);
  const ratio = orderFigures.perSecond / bareFigures.perSecond;
  measured.push({
    orders: orderFigures,
    bare: bareFigures,
    floor: floorFigures,
    saleFloor: saleFloorFigures,
    bucketFloor: bucketFloorFigures,
    ratio,
  });
  progress(
    `round ${round}: orders ${orderFigures.perSecond}/s (sold ${orderFigures.sold} in ${orderFigures.sellingMs} of ${orderFigures.durationMs} ms, stock left ${orderFigures.stockLeft}, ${JSON.stringify(orderFigures.statuses)}), bare ${bareFigures.perSecond}/s (sold ${bareFigures.sold}), jti floor ${floorFigures.perSecond}/s, sale floor ${saleFloorFigures.perSecond}/s (sold ${saleFloorFigures.sold}), on ${floorBuckets} buckets ${bucketFloorFigures.perSecond}/s (sold ${bucketFloorFigures.sold} in ${bucketFloorFigures.sellingMs} ms, stock left ${bucketFloorFigures.stockLeft}, ${bucketFloorFigures.busy} run again): ${ratio.toFixed(3)}×`,
  );
}

const ordersMedian = median(measured.map((round) => round.orders.perSecond));
const bareMedian = median(measured.map((round) => round.bare.perSecond));
const floorMedian = median(measured.map((round) => round.floor.perSecond));
const saleFloorMedian = median(measured.map((round) => round.saleFloor.perSecond));
const bucketFloorMedian = median(measured.map((round) => round.bucketFloor.perSecond));
const exact = measured.every(
  (round) =>
    round.orders.sold === stock &&
    round.orders.stockLeft === 0 &&
    round.orders.bought === stock &&
    (round.orders.statuses.reserved ?? 0) === stock &&
    (round.orders.statuses.sold_out ?? 0) === attempts - stock,
);
process.stdout.write(
  `${JSON.stringify({
    shape: { attempts, stock, concurrency, rounds },
    rounds: measured,
    ordersMedianPerSecond: ordersMedian,
    bareMedianPerSecond: bareMedian,
    floorMedianPerSecond: floorMedian,
    saleFloorMedianPerSecond: saleFloorMedian,
    bucketFloorMedianPerSecond: bucketFloorMedian,
    buckets: floorBuckets,
    bucketFloorExactlySold: measured.every(
      (round) => round.bucketFloor.sold === stock && round.bucketFloor.stockLeft === 0,
    ),
    ratio: ordersMedian / bareMedian,
    exactlySold: exact,
  })}\n`,
);
await admin.end();
