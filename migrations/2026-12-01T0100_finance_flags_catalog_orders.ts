// A catalog order whose post cannot be known (no answer, the partner cannot be asked, or a void is
// refused) needs a person as a transfer does: a finance flag names either a transfer or an order.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('finance_flags')
    .alterColumn('transfer_id', (column) => column.dropNotNull())
    .execute();
  await db.schema
    .alterTable('finance_flags')
    .addColumn('catalog_order_id', 'text', (column) => column.references('catalog_orders.id'))
    .execute();
  await db.schema
    .alterTable('finance_flags')
    .addCheckConstraint('finance_flags_one_subject', sql`num_nonnulls(transfer_id, catalog_order_id) = 1`)
    .execute();
  await db.schema
    .alterTable('finance_flags')
    .addUniqueConstraint('finance_flags_order_once', ['catalog_order_id', 'reason'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('finance_flags').dropConstraint('finance_flags_order_once').execute();
  await db.schema.alterTable('finance_flags').dropConstraint('finance_flags_one_subject').execute();
  await db.schema.alterTable('finance_flags').dropColumn('catalog_order_id').execute();
  await db.schema
    .alterTable('finance_flags')
    .alterColumn('transfer_id', (column) => column.setNotNull())
    .execute();
}
