// `npm run bench:flash-sale`: a database of its own on DATABASE_URL's server (or an embedded one),
// the flash sale measured by bench/flash-sale-load.ts in a process of its own, and its rate of answered
// orders as a result beside the bare conditional decrement of the same rounds. Throughput, so higher
// is better; the goal (issue #12's bench) is at least 0.5 times the decrement, and exactly the stock sold.
import path from 'node:path';
import { ensurePostgres } from '../../runtime/local-services.ts';
import type { Logger } from '../../runtime/logger.ts';
import { projectDir } from '../../runtime/project-dir.ts';
import { dropDatabase, ensureDatabase, withDatabase } from '../../store/database-url.ts';
import { runJson } from './processes.ts';
import type { BenchResult } from './report.ts';

interface FlashSaleFigures {
  shape: { attempts: number; stock: number; concurrency: number; rounds: number };
  rounds: { orders: { p50Ms: number; p99Ms: number }; bare: unknown; ratio: number }[];
  ordersMedianPerSecond: number;
  bareMedianPerSecond: number;
  floorMedianPerSecond: number;
  saleFloorMedianPerSecond: number;
  bucketFloorMedianPerSecond: number;
  buckets: number;
  bucketFloorExactlySold: boolean;
  ratio: number;
  exactlySold: boolean;
}

export async function benchFlashSale(
  logger: Logger,
): Promise<{ results: BenchResult[]; details: FlashSaleFigures }> {
  const postgres = await ensurePostgres({
    databaseUrl: process.env.DATABASE_URL,
    dataDir: path.join(projectDir, '.data', 'bench'),
    embeddedPort: 54369,
    logger,
  });
  const databaseUrl = withDatabase(postgres.address, `alliance_bench_flash_${Date.now()}`);
  await ensureDatabase(databaseUrl);
  let figures: FlashSaleFigures;
  try {
    figures = await runJson<FlashSaleFigures>('bench/flash-sale-load.ts', [
      databaseUrl,
      process.env.BENCH_FLASH_ATTEMPTS ?? '20000',
      process.env.BENCH_FLASH_STOCK ?? '2000',
      process.env.BENCH_FLASH_CONCURRENCY ?? '50',
      process.env.BENCH_FLASH_ROUNDS ?? '3',
    ]);
  } finally {
    await dropDatabase(databaseUrl).catch(() => undefined);
    await postgres.stop();
  }
  if (!figures.exactlySold) logger.error({ figures }, 'the flash sale did not sell exactly its stock');
  const { attempts, stock, concurrency, rounds } = figures.shape;
  const count = (value: number) => value.toLocaleString('en-US');
  const p50 = figures.rounds.map((round) => round.orders.p50Ms).sort((a, b) => a - b);
  const p99 = figures.rounds.map((round) => round.orders.p99Ms).sort((a, b) => a - b);
  return {
    results: [
      {
        name: 'flash_sale_orders',
        value: figures.ordersMedianPerSecond,
        unit: `orders answered/s (${count(attempts)} attempts on stock ${count(stock)}: claim, placeOrder, reply stored, each many to a statement under load; ${figures.exactlySold ? `exactly ${count(stock)} sold, stock 0` : 'NOT exactly the stock sold'}; median of ${rounds} rounds)`,
        baseline: `update … set stock = stock - 1 where … and stock > 0 (one row, autocommit, raw pg), ${count(attempts)} times, same PostgreSQL, same concurrency, median of ${rounds} rounds`,
        baselineValue: figures.bareMedianPerSecond,
        concurrency,
        p50Ms: p50[p50.length >> 1] ?? Number.NaN,
        p99Ms: p99[p99.length >> 1] ?? Number.NaN,
      },
      {
        // The one write every signed order's answer makes (its jti), against the same bare decrement:
        // the highest ratio an answer that records its jti in PostgreSQL could reach.
        name: 'flash_sale_jti_floor',
        value: figures.floorMedianPerSecond,
        unit: `jti records/s (the insert every signed order's answer makes, raw pg, committed without waiting for the disk, ${count(attempts)} times; median of ${rounds} rounds)`,
        baseline: 'the same bare conditional decrement, same run',
        baselineValue: figures.bareMedianPerSecond,
        concurrency,
      },
      {
        // The whole sale at its least (bench/flash-sale-load.ts saleFloorStatement): what no flash
        // sale that takes its stock from one row and keeps an order's records can beat.
        name: 'flash_sale_floor',
        value: figures.saleFloorMedianPerSecond,
        unit: `orders answered/s (the least a sale taking its stock from one row can do: one raw statement each, the jti, and while stock is left the stock, count, quote, order, step and key with its reply, durably; ${count(attempts)} attempts on stock ${count(stock)}; median of ${rounds} rounds)`,
        baseline: 'the same bare conditional decrement, same run',
        baselineValue: figures.bareMedianPerSecond,
        concurrency,
      },
      {
        // The same sale with the item's stock on several rows: how far a sale that need not wait for
        // the one before it could go (bench/lib/flash-sale-floors.ts).
        name: 'flash_sale_bucket_floor',
        value: figures.bucketFloorMedianPerSecond,
        unit: `orders answered/s (the same raw sale with the stock spread over ${figures.buckets} rows, a held one skipped; ${figures.bucketFloorExactlySold ? `exactly ${count(stock)} sold` : 'NOT exactly the stock sold'}; ${count(attempts)} attempts on stock ${count(stock)}; median of ${rounds} rounds)`,
        baseline: 'the same bare conditional decrement, same run',
        baselineValue: figures.bareMedianPerSecond,
        concurrency,
      },
    ],
    details: figures,
  };
}
