// The floors bench/flash-sale-load.ts measures beside the orders, in the same rounds, on the same
// PostgreSQL at the same concurrency: raw statements that no order path doing the same work can beat.
//
// - jti: the one write every answer to a signed order makes, its jti (replay protection), as the
//   claim commits it (without waiting for the disk), alone.
// - sale on one row: every attempt one statement that records its jti and, while stock is left,
//   sells what a placed order must keep (the stock taken, the member's count, the quote spent, the
//   order and its first step, the key with its stored reply), durably; an attempt that finds no
//   stock commits its jti alone without waiting for the disk, as a sold-out answer does. It reads
//   nothing (the quote, item version and link checks are left out).
// - sale on buckets: the same, with the stock spread over several rows (each attempt takes a unit
//   from the first bucket with stock that no other sale holds, starting at a bucket of its own), so
//   that sales commit side by side instead of one after another on the item's row.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { flashIds, flashMemberId, flashQuoteId, loadFlashRound } from './flash-sale-data.ts';
import type { LoadResult } from './stats.ts';

export interface FloorRun {
  url: string;
  admin: pg.Client;
  concurrency: number;
  warmUpAttempts: number;
  /** Runs `count` attempts, `concurrency` at a time; each says which answer it got. */
  drive(count: number, attempt: (n: number) => Promise<string>): Promise<LoadResult>;
}

/** A pool of its own for the round, warmed (every connection opened, the statement prepared) first. */
async function inPool<T>(
  run: FloorRun,
  warm: (pool: pg.Pool) => Promise<unknown>,
  measure: (pool: pg.Pool) => Promise<T>,
) {
  const pool = new pg.Pool({ connectionString: run.url, max: run.concurrency });
  try {
    await warm(pool);
    return await measure(pool);
  } finally {
    await pool.end();
  }
}

export function jtiFloorRound(run: FloorRun, round: number, count: number) {
  const on = (pool: pg.Pool, label: string, n: number) => {
    const expiresAt = new Date(Date.now() + 300_000);
    return run.drive(n, async (attempt) => {
      await pool.query({
        name: 'flash_floor_jti',
        text: `with jti as (insert into request_nonces (issuer, jti, expires_at) values ($1, $2, $3) returning 1)
          select set_config('synchronous_commit', 'off', true) from jti`,
        values: [flashIds.buyer, `floor-${label}-${attempt}-${randomUUID()}`, expiresAt],
      });
      return 'recorded';
    });
  };
  return inPool(
    run,
    (pool) => on(pool, `warm-${round}`, run.warmUpAttempts),
    (pool) => on(pool, String(round), count),
  );
}

/** The sale's writes below the stock; `taken` yields the item's id when a unit was taken. */
const saleStatement = (taken: string, answer: string) => `
  with
  jti as (insert into request_nonces (issuer, jti, expires_at) values ($1, $2, $3) returning 1),
  taken as (${taken}),
  counted as (
    insert into catalog_member_purchases (item_id, member_id, bought) select $4, $5, 1 from taken
    on conflict (item_id, member_id) do update set bought = catalog_member_purchases.bought + 1),
  spent as (update quotes set used_by_order_id = $6 where id = $7 and exists (select from taken)),
  ordered as (
    insert into catalog_orders (id, item_id, item_version, quote_id, requested_by, member_id, program_id,
      account_ref, debit_points, status, held_code)
    select $6, $4, 1, $7, $1, $5, $8, $9, 100, 'reserved', null from taken
    returning id),
  stepped as (
    insert into catalog_order_steps (order_id, step, outcome, detail)
    select id, 'reserved', 'done', 'quote ' || $7 from ordered),
  answered as (
    insert into idempotency_records (principal, key, request_hash, status, response_status,
      response_content_type, response_body, locked_until, effect_id)
    select $1, $10, $10, 'completed', 202, 'application/json', $11, now(), id from ordered)
  select exists (select from taken) as sold, ${answer}
    case when exists (select from taken) then null else set_config('synchronous_commit', 'off', true) end`;

const oneRowSale = saleStatement(
  `update catalog_items set stock_left = stock_left - 1
    where id = $4 and stock_left > 0 and exists (select from jti) returning id`,
  '',
);

export const floorBuckets = 16;

// A bucket another sale holds is skipped, never waited for (waiting on one while holding another could
// deadlock); when every bucket with stock is held, the attempt answers `busy` and is run again, so that
// it never answers sold out while a unit is left. Bucket $12 first, then the next ones, in a ring.
const bucketSale = saleStatement(
  `update bench_flash_buckets b set stock = b.stock - 1
    where b.item_id = $4 and b.bucket = (
      select bucket from bench_flash_buckets where item_id = $4 and stock > 0 and exists (select from jti)
      order by (bucket + ${floorBuckets} - $12::int) % ${floorBuckets} limit 1 for update skip locked)
    returning b.item_id as id`,
  `not exists (select from taken)
    and exists (select from bench_flash_buckets where item_id = $4 and stock > 0) as busy,`,
);

function saleValues(round: number, n: number, itemId: string, expiresAt: Date, reply: string) {
  return [
    flashIds.buyer,
    `sale-floor-${round}-${n}-${randomUUID()}`,
    expiresAt,
    itemId,
    flashMemberId(n),
    `ord_floor_${round}_${n}`,
    flashQuoteId(round, n),
    flashIds.buyerProgram,
    `buyer-${n}`,
    `sale-floor-${round}-${n}`,
    reply,
  ];
}

const reply = JSON.stringify({ id: 'ord_floor', status: 'reserved', padding: 'x'.repeat(400) });

export function saleFloorRound(run: FloorRun, round: number, count: number, itemStock: number) {
  const on = async (pool: pg.Pool, itemRound: number, n: number, stock: number) => {
    const { itemId } = await loadFlashRound(run.admin, { round: itemRound, stock, members: n });
    const expiresAt = new Date(Date.now() + 300_000);
    const result = await run.drive(n, async (attempt) => {
      const { rows } = await pool.query<{ sold: boolean }>({
        name: 'flash_sale_floor',
        text: oneRowSale,
        values: saleValues(itemRound, attempt, itemId, expiresAt, reply),
      });
      return rows[0]?.sold ? 'reserved' : 'sold_out';
    });
    return { ...result, sold: result.statuses.reserved ?? 0 };
  };
  return inPool(
    run,
    (pool) => on(pool, 300 + round, run.warmUpAttempts, 50),
    (pool) => on(pool, 200 + round, count, itemStock),
  );
}

export function bucketFloorRound(run: FloorRun, round: number, count: number, itemStock: number) {
  const on = async (pool: pg.Pool, itemRound: number, n: number, stock: number) => {
    const { itemId } = await loadFlashRound(run.admin, { round: itemRound, stock, members: n });
    await run.admin.query(
      `insert into bench_flash_buckets (item_id, bucket, stock)
       select $1, b, $2::int / $3::int + case when b < $2::int % $3::int then 1 else 0 end
       from generate_series(0, $3::int - 1) b`,
      [itemId, stock, floorBuckets],
    );
    const expiresAt = new Date(Date.now() + 300_000);
    let busy = 0;
    let sold = 0;
    let sellingMs = Number.NaN;
    const begin = performance.now();
    const result = await run.drive(n, async (attempt) => {
      for (;;) {
        const { rows } = await pool.query<{ sold: boolean; busy: boolean }>({
          name: 'flash_bucket_floor',
          text: bucketSale,
          // A fresh jti for a run again: the busy attempt's own was committed with it.
          values: [...saleValues(itemRound, attempt, itemId, expiresAt, reply), attempt % floorBuckets],
        });
        if (rows[0]?.busy) {
          busy += 1;
          continue;
        }
        if (!rows[0]?.sold) return 'sold_out';
        sold += 1;
        if (sold === stock) sellingMs = Math.round(performance.now() - begin);
        return 'reserved';
      }
    });
    const left = await run.admin.query<{ left: string }>(
      'select sum(stock) as left from bench_flash_buckets where item_id = $1',
      [itemId],
    );
    return { ...result, sold, stockLeft: Number(left.rows[0]?.left), busy, sellingMs };
  };
  return inPool(
    run,
    async (pool) => {
      await run.admin.query(
        `create table if not exists bench_flash_buckets (
           item_id text, bucket int, stock int8 not null check (stock >= 0), primary key (item_id, bucket))`,
      );
      return on(pool, 500 + round, run.warmUpAttempts, 50);
    },
    (pool) => on(pool, 400 + round, count, itemStock),
  );
}
