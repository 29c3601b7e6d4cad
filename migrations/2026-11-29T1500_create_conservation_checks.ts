// The conservation monitor's results: one row per check it ran, with what each invariant found.
// Written by the monitor's Schedule, read by the operator; a run retried by Temporal finds its row
// by the run's id instead of writing a second one.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('conservation_checks')
    .addColumn('id', 'bigint', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('run_id', 'text', (column) => column.notNull().unique())
    .addColumn('checked_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('ok', 'boolean', (column) => column.notNull())
    .addColumn('findings', 'jsonb', (column) => column.notNull())
    .execute();
  // The operator asks when it last failed; failures are few and kept, passes are pruned.
  await sql`create index conservation_checks_failed on conservation_checks (id) where not ok`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('conservation_checks').execute();
}
