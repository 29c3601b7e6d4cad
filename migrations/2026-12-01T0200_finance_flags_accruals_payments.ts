// An accrual, an accrual's reversal or a points payment whose partner call cannot be known (no
// answer, and the programme cannot be asked) needs a person as a transfer does: a finance flag names
// it, so that it is found in finance's list rather than only on its own timeline.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('finance_flags')
    .addColumn('accrual_id', 'text', (column) => column.references('accruals.id'))
    .addColumn('accrual_reversal_id', 'text', (column) => column.references('accrual_reversals.id'))
    .addColumn('points_payment_id', 'text', (column) => column.references('points_payments.id'))
    .execute();
  await db.schema.alterTable('finance_flags').dropConstraint('finance_flags_one_subject').execute();
  await db.schema
    .alterTable('finance_flags')
    .addCheckConstraint(
      'finance_flags_one_subject',
      sql`num_nonnulls(transfer_id, catalog_order_id, accrual_id, points_payment_id) = 1
        and (accrual_reversal_id is null or accrual_id is not null)`,
    )
    .execute();
  await db.schema
    .alterTable('finance_flags')
    .addUniqueConstraint('finance_flags_accrual_once', ['accrual_id', 'reason'])
    .execute();
  await db.schema
    .alterTable('finance_flags')
    .addUniqueConstraint('finance_flags_payment_once', ['points_payment_id', 'reason'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  // The earlier check admits only transfers' and orders' flags.
  await db
    .deleteFrom('finance_flags')
    .where((eb) => eb.or([eb('accrual_id', 'is not', null), eb('points_payment_id', 'is not', null)]))
    .execute();
  await db.schema.alterTable('finance_flags').dropConstraint('finance_flags_payment_once').execute();
  await db.schema.alterTable('finance_flags').dropConstraint('finance_flags_accrual_once').execute();
  await db.schema.alterTable('finance_flags').dropConstraint('finance_flags_one_subject').execute();
  await db.schema
    .alterTable('finance_flags')
    .addCheckConstraint('finance_flags_one_subject', sql`num_nonnulls(transfer_id, catalog_order_id) = 1`)
    .execute();
  await db.schema
    .alterTable('finance_flags')
    .dropColumn('points_payment_id')
    .dropColumn('accrual_reversal_id')
    .dropColumn('accrual_id')
    .execute();
}
