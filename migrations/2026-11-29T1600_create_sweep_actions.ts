// What the stranded-transfer sweep did, for finance: each workflow it started (a transfer's own, a
// recovery run of a transfer whose workflow stopped, a reversal's), each live workflow it found and
// left alone, and each transfer it could not drive to an end. One row per workflow and action, so a
// sweep that runs again (or is retried after a crash) records nothing twice.
// The sweep now looks at every transfer in a middle state, not only pending ones: its index widens.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sweep_actions')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('subject_kind', 'text', (column) =>
      column.notNull().check(sql`subject_kind in ('transfer', 'reversal')`),
    )
    .addColumn('subject_id', 'text', (column) => column.notNull())
    // The transfer, or the transfer a reversal undoes: finance reads both by transfer.
    .addColumn('transfer_id', 'text', (column) => column.notNull().references('transfers.id'))
    .addColumn('action', 'text', (column) =>
      column
        .notNull()
        .check(sql`action in ('started_workflow', 'started_recovery', 'left_running', 'gave_up')`),
    )
    .addColumn('workflow_id', 'text', (column) => column.notNull())
    // The subject's status when the sweep found it.
    .addColumn('subject_status', 'text', (column) => column.notNull())
    // What Temporal said of the workflow under the subject's own id: not_found, running, terminated…
    .addColumn('workflow_status', 'text', (column) => column.notNull())
    .addColumn('detail', 'text')
    .addColumn('at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('sweep_actions_once', ['workflow_id', 'action'])
    .execute();
  await db.schema.createIndex('sweep_actions_transfer').on('sweep_actions').column('transfer_id').execute();
  await sql`create index transfers_in_flight_updated_at on transfers (updated_at) where status in ('pending', 'reserved', 'credited')`.execute(
    db,
  );
  // Implied by the index above (status = 'pending' is one of its states): one index less to write.
  await db.schema.dropIndex('transfers_pending_updated_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index transfers_pending_updated_at on transfers (updated_at) where status = 'pending'`.execute(
    db,
  );
  await db.schema.dropIndex('transfers_in_flight_updated_at').execute();
  await db.schema.dropTable('sweep_actions').execute();
}
