// The console's liability plot counts member balances back from the accounts' counters through the
// entries written since its first day (store/console-plots.ts), so it needs the entries since an
// instant without reading the whole ledger. Entries are written in time order, so a BRIN index on
// created_at finds them by block range, at a tiny fraction of a B-tree's size and insert cost on
// the ledger's busiest table.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index ledger_entries_created_brin on ledger_entries using brin (created_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index ledger_entries_created_brin`.execute(db);
}
