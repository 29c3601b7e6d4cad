// Reversals (clawback) of completed transfers, wholly or in part. Each reversal fixes at creation
// what it asks for (source points to give back, target points to take back, the settlement amount),
// under a lock on its transfer, so concurrent reversals can never add up past the transfer. What it
// achieved (taken, returned, reversed amount) is written when it ends. The rate agreement says who
// bears a shortfall when the target member no longer has the points.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('rate_agreement_versions')
    .addColumn('reversal_shortfall_payer', 'text', (column) =>
      column
        .notNull()
        .defaultTo('source_partner')
        .check(sql`reversal_shortfall_payer in ('source_partner', 'target_partner')`),
    )
    .execute();
  await db.schema
    .createTable('transfer_reversals')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('transfer_id', 'text', (column) => column.notNull().references('transfers.id'))
    // A partner id, or `finance`.
    .addColumn('requested_by', 'text', (column) => column.notNull())
    .addColumn('reason', 'text', (column) => column.notNull())
    .addColumn('source_points', 'bigint', (column) => column.notNull().check(sql`source_points > 0`))
    .addColumn('target_points', 'bigint', (column) => column.notNull().check(sql`target_points > 0`))
    .addColumn('settlement_amount_minor', 'bigint', (column) =>
      column.notNull().check(sql`settlement_amount_minor >= 0`),
    )
    .addColumn('currency', 'text', (column) => column.notNull())
    .addColumn('shortfall_payer', 'text', (column) =>
      column.notNull().check(sql`shortfall_payer in ('source_partner', 'target_partner')`),
    )
    .addColumn('status', 'text', (column) =>
      column.notNull().check(sql`status in ('pending', 'taken', 'completed', 'failed', 'needs_attention')`),
    )
    .addColumn('taken_target_points', 'bigint', (column) => column.check(sql`taken_target_points >= 0`))
    .addColumn('returned_source_points', 'bigint', (column) => column.check(sql`returned_source_points >= 0`))
    .addColumn('reversed_amount_minor', 'bigint', (column) => column.check(sql`reversed_amount_minor >= 0`))
    .addColumn('failure_code', 'text')
    .addColumn('failure_detail', 'text')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('transfer_reversals_transfer')
    .on('transfer_reversals')
    .columns(['transfer_id', 'id'])
    .execute();
  await sql`create index transfer_reversals_pending on transfer_reversals (updated_at) where status in ('pending', 'taken')`.execute(
    db,
  );
  // A finance flag names the transfer it is about, and the reversal when a reversal raised it.
  await db.schema.alterTable('finance_flags').addColumn('reversal_id', 'text').execute();
  // A transfer may now owe one obligation of a kind per reversal: what is owed once is keyed by its
  // source (settlement_obligations_source_once), not by the transfer.
  await sql`alter table settlement_obligations drop constraint settlement_obligations_once`.execute(db);
  await db.schema
    .createIndex('settlement_obligations_transfer')
    .on('settlement_obligations')
    .column('transfer_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('settlement_obligations_transfer').execute();
  await sql`delete from settlement_obligations where kind = 'reversal'`.execute(db);
  await sql`alter table settlement_obligations add constraint settlement_obligations_once unique (transfer_id, kind)`.execute(
    db,
  );
  await db.schema.alterTable('finance_flags').dropColumn('reversal_id').execute();
  await db.schema.dropTable('transfer_reversals').execute();
  await db.schema.alterTable('rate_agreement_versions').dropColumn('reversal_shortfall_payer').execute();
}
