// Reconciliation with partners. A run compares, for one programme and one period, the gateway's
// record of every step it took at the programme's loyalty system with that system's own list (from
// its API or an uploaded CSV, staged in reconciliation_partner_items for the run). What does not
// match is a break; a rerun of the same programme and period replaces the open breaks, and a break
// once resolved keeps its resolution forever (unique per programme, item and kind, so a rerun never
// duplicates it).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('reconciliation_runs')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('partner_id', 'text', (column) => column.notNull().references('partners.id'))
    .addColumn('program_id', 'text', (column) => column.notNull().references('programs.id'))
    .addColumn('period_from', 'timestamptz', (column) => column.notNull())
    .addColumn('period_to', 'timestamptz', (column) => column.notNull())
    .addColumn('source', 'text', (column) =>
      column.notNull().check(sql`source in ('partner_api', 'upload', 'hosted_ledger')`),
    )
    // A partner, `finance`, or `schedule`.
    .addColumn('requested_by', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) =>
      column.notNull().check(sql`status in ('running', 'completed', 'failed')`),
    )
    .addColumn('partner_item_count', 'bigint')
    .addColumn('matched_count', 'bigint')
    .addColumn('break_counts', 'jsonb')
    .addColumn('failure_detail', 'text')
    .addColumn('started_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addCheckConstraint('reconciliation_runs_period', sql`period_to > period_from`)
    .execute();
  await db.schema
    .createIndex('reconciliation_runs_program')
    .on('reconciliation_runs')
    .columns(['program_id', 'id'])
    .execute();

  await db.schema
    .createTable('reconciliation_partner_items')
    .addColumn('run_id', 'text', (column) => column.notNull().references('reconciliation_runs.id'))
    .addColumn('key', 'text', (column) => column.notNull())
    .addColumn('operation', 'text', (column) => column.notNull())
    .addColumn('account_ref', 'text')
    .addColumn('points', 'bigint', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('at', 'timestamptz', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('reconciliation_partner_items_run')
    .on('reconciliation_partner_items')
    .columns(['run_id', 'key'])
    .execute();

  await db.schema
    .createTable('reconciliation_breaks')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('partner_id', 'text', (column) => column.notNull().references('partners.id'))
    .addColumn('program_id', 'text', (column) => column.notNull().references('programs.id'))
    .addColumn('run_id', 'text', (column) => column.notNull().references('reconciliation_runs.id'))
    .addColumn('kind', 'text', (column) =>
      column
        .notNull()
        .check(
          sql`kind in ('missing_at_partner', 'missing_at_gateway', 'amount_mismatch', 'status_mismatch', 'duplicate_at_partner', 'balance_mismatch')`,
        ),
    )
    .addColumn('item_key', 'text', (column) => column.notNull())
    .addColumn('operation', 'text')
    .addColumn('account_ref', 'text')
    .addColumn('gateway_points', 'bigint')
    .addColumn('partner_points', 'bigint')
    .addColumn('gateway_status', 'text')
    .addColumn('partner_status', 'text')
    .addColumn('partner_count', 'integer')
    // When the item happened (the gateway's time, else the partner's): the break's age counts from it.
    .addColumn('occurred_at', 'timestamptz', (column) => column.notNull())
    .addColumn('detected_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('resolution', 'text', (column) =>
      column.check(sql`resolution in ('adjusted', 'written_off', 'partner_fixed', 'gateway_fixed')`),
    )
    .addColumn('resolution_reason', 'text')
    .addColumn('resolved_by', 'text')
    .addColumn('resolved_at', 'timestamptz')
    .addUniqueConstraint('reconciliation_breaks_once', ['program_id', 'item_key', 'kind'])
    .addCheckConstraint(
      'reconciliation_breaks_resolved_whole',
      sql`(resolution is null) = (resolved_at is null) and (resolution is null) = (resolution_reason is null)`,
    )
    .execute();
  await db.schema
    .createIndex('reconciliation_breaks_open')
    .on('reconciliation_breaks')
    .columns(['partner_id', 'kind', 'occurred_at'])
    .where(sql.ref('resolved_at'), 'is', null)
    .execute();
  // The gateway's steps of a period are read by their time.
  await db.schema.createIndex('transfer_steps_at').on('transfer_steps').column('at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('transfer_steps_at').execute();
  await db.schema.dropTable('reconciliation_breaks').execute();
  await db.schema.dropTable('reconciliation_partner_items').execute();
  await db.schema.dropTable('reconciliation_runs').execute();
}
