// The flash sale's data (bench/lib/flash-sale-data.ts) in a database of a test file's own: what the
// order decision's tests (test/catalog/order-decision*.test.ts) start from.
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { flashQuoteId, loadFlashAlliance, loadFlashRound } from '../../bench/lib/flash-sale-data.ts';
import { createDatabase, type Db } from '../../store/connection.ts';
import { dropDatabase, ensureDatabase, withDatabase } from '../../store/database-url.ts';
import { migrateToLatest } from '../../store/migrator.ts';

export interface FlashSaleDatabase {
  db: Db;
  /** A plain client, for the set-up and for reading what the statements wrote. */
  admin: pg.Client;
  /** An item of its own with this stock (one per member), and a quote for it per member. */
  item(stock: number): Promise<{ itemId: string; round: number }>;
  /** A second quote for the member, as a second POST /v1/catalog/quotes would price it. */
  anotherQuote(round: number, member: number, suffix: string): Promise<string>;
}

export async function useFlashSaleDatabase(name: string, members: number): Promise<FlashSaleDatabase> {
  const url = withDatabase(inject('databaseServerUrl'), `alliance_${name}_${process.pid}_${Date.now()}`);
  await ensureDatabase(url);
  const db = createDatabase({ url, poolSizeMax: 20 });
  await migrateToLatest(db);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await loadFlashAlliance(admin, members);
  afterAll(async () => {
    await admin.end();
    await db.destroy();
    await dropDatabase(url);
  });
  let rounds = 0;
  return {
    db,
    admin,
    async item(stock) {
      rounds += 1;
      const { itemId } = await loadFlashRound(admin, { round: rounds, stock, members });
      return { itemId, round: rounds };
    },
    async anotherQuote(round, member, suffix) {
      const quoteId = `${flashQuoteId(round, member)}_${suffix}`;
      const columns = `requested_by, member_id, source_program_id, target_program_id, agreement_id,
        agreement_version, converted_source_points, fee_points, debit_points, credit_points,
        daily_cap_source_points, ratio_numerator, ratio_denominator, remainder_numerator,
        remainder_denominator, modifiers, settlement_amount_minor, fee_amount_minor, currency, expires_at,
        item_id, item_version`;
      await admin.query(
        `insert into quotes (id, ${columns}) select $1, ${columns} from quotes where id = $2`,
        [quoteId, flashQuoteId(round, member)],
      );
      return quoteId;
    },
  };
}
