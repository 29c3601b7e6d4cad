// Points draws as stored: a draw's row beside its catalog item (terms, seed, commitment, and once
// closed its entries hash), the frozen entry list with the winners' places, and the coupons the
// close issues (one per entry at most, keyed by the entry's order, like an order's own coupon).
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { CatalogDrawsTable, Database } from './database.ts';

export type CatalogDraw = Selectable<CatalogDrawsTable>;

export async function insertDraw(
  trx: Transaction<Database>,
  values: Omit<CatalogDraw, 'status' | 'entries_hash' | 'closed_at'>,
): Promise<CatalogDraw> {
  return trx
    .insertInto('catalog_draws')
    .values({ ...values, status: 'open' })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findDraw(db: Kysely<Database>, itemId: string): Promise<CatalogDraw | undefined> {
  return db.selectFrom('catalog_draws').selectAll().where('item_id', '=', itemId).executeTakeFirst();
}

/**
 * Ends the sale for good: locks the item's row and leaves no stock, so an order that was about to
 * take one waits for this transaction and then finds none. Returns the draw, locked.
 */
export async function stopEntries(trx: Transaction<Database>, itemId: string): Promise<CatalogDraw> {
  await trx
    .updateTable('catalog_items')
    .set({ stock_left: 0n, updated_at: new Date() })
    .where('id', '=', itemId)
    .execute();
  return trx
    .selectFrom('catalog_draws')
    .selectAll()
    .where('item_id', '=', itemId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

/** Entries whose points are still moving: the list cannot be frozen before they end. */
export async function countEntriesInFlight(trx: Transaction<Database>, itemId: string): Promise<number> {
  const row = await trx
    .selectFrom('catalog_orders')
    .select(sql<number>`count(*)::int`.as('count'))
    .where('item_id', '=', itemId)
    .where('status', '=', 'reserved')
    .executeTakeFirstOrThrow();
  return row.count;
}

export interface EntryOrder {
  id: string;
  member_id: string;
  program_id: string;
}

/** Every entry that was paid for: the draw's completed orders. */
export async function listCompletedEntries(
  trx: Transaction<Database>,
  itemId: string,
): Promise<EntryOrder[]> {
  return trx
    .selectFrom('catalog_orders')
    .select(['id', 'member_id', 'program_id'])
    .where('item_id', '=', itemId)
    .where('status', '=', 'completed')
    .execute();
}

export async function insertDrawEntries(
  trx: Transaction<Database>,
  itemId: string,
  entries: { orderId: string; winnerRank: number | null }[],
): Promise<void> {
  for (let start = 0; start < entries.length; start += 5_000) {
    const chunk = entries.slice(start, start + 5_000);
    await sql`
      insert into catalog_draw_entries (order_id, item_id, winner_rank)
      select order_id, ${itemId}, winner_rank
      from unnest(${chunk.map((entry) => entry.orderId)}::text[], ${chunk.map((entry) => entry.winnerRank)}::int[])
        as entry (order_id, winner_rank)`.execute(trx);
  }
}

export async function markDrawClosed(
  trx: Transaction<Database>,
  input: { itemId: string; entriesHash: string; closedAt: Date },
): Promise<CatalogDraw> {
  return trx
    .updateTable('catalog_draws')
    .set({ status: 'closed', entries_hash: input.entriesHash, closed_at: input.closedAt })
    .where('item_id', '=', input.itemId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The frozen entries in canonical order (byte order, whatever the database's collation) with their places. */
export async function listDrawEntries(
  db: Kysely<Database>,
  itemId: string,
): Promise<{ order_id: string; winner_rank: number | null }[]> {
  return db
    .selectFrom('catalog_draw_entries')
    .select(['order_id', 'winner_rank'])
    .where('item_id', '=', itemId)
    .orderBy(sql`order_id collate "C"`)
    .execute();
}

/** The promised version's details of a prize or consolation coupon item. */
export async function findCouponTerms(
  db: Kysely<Database>,
  input: { itemId: string; version: number },
): Promise<{ publisher_id: string; details: unknown } | undefined> {
  return db
    .selectFrom('catalog_items as i')
    .innerJoin('catalog_item_versions as v', 'v.item_id', 'i.id')
    .select(['i.publisher_id', 'v.details'])
    .where('i.id', '=', input.itemId)
    .where('v.version', '=', input.version)
    .executeTakeFirst();
}

export interface DrawCoupon {
  id: string;
  orderId: string;
  itemId: string;
  publisherId: string;
  code: string;
  validUntil: Date | null;
}

/** Issues the close's coupons; an entry that has its coupon already keeps it. */
export async function insertDrawCoupons(
  trx: Transaction<Database>,
  coupons: DrawCoupon[],
  issuedAt: Date,
): Promise<void> {
  for (let start = 0; start < coupons.length; start += 1_000) {
    await trx
      .insertInto('coupons')
      .values(
        coupons.slice(start, start + 1_000).map((coupon) => ({
          id: coupon.id,
          order_id: coupon.orderId,
          item_id: coupon.itemId,
          publisher_id: coupon.publisherId,
          code: coupon.code,
          status: 'issued' as const,
          valid_until: coupon.validUntil,
          issued_at: issuedAt,
        })),
      )
      .onConflict((conflict) => conflict.column('order_id').doNothing())
      .execute();
  }
}

/** Deliveries of one event not sent yet: what a retried close hands to the workflow again. */
export async function pendingDeliveries(db: Kysely<Database>, eventId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('event_id', '=', eventId)
    .where('status', '=', 'pending')
    .execute();
  return rows.map((row) => row.id);
}

/** Open draws, by id after the cursor: what a worker makes sure has its close workflow. */
export async function listOpenDrawIds(
  db: Kysely<Database>,
  input: { afterId: string | null; limit: number },
): Promise<string[]> {
  let query = db
    .selectFrom('catalog_draws')
    .select('item_id')
    .where('status', '=', 'open')
    .orderBy('item_id')
    .limit(input.limit);
  if (input.afterId) query = query.where('item_id', '>', input.afterId);
  return (await query.execute()).map((row) => row.item_id);
}
