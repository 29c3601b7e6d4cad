// The stranded sweep looks every minute for reconciliation runs still running (one a programme a day
// accumulate): the few running ones, not the whole table.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index reconciliation_runs_running on reconciliation_runs (id) where status = 'running'`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index reconciliation_runs_running`.execute(db);
}
