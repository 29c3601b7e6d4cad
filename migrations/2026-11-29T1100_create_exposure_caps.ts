// Exposure caps: the most a partner may owe the alliance net, per currency, in obligations not yet
// settled and transfers still running. A transfer that would pass its source partner's cap is refused.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('exposure_caps')
    .addColumn('partner_id', 'text', (column) => column.notNull().references('partners.id'))
    .addColumn('currency', 'text', (column) => column.notNull())
    .addColumn('cap_minor', 'bigint', (column) => column.notNull().check(sql`cap_minor >= 0`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('exposure_caps_pkey', ['partner_id', 'currency'])
    .execute();
  await db.schema
    .createIndex('settlement_obligations_debtor')
    .on('settlement_obligations')
    .columns(['debtor_partner_id', 'currency'])
    .execute();
  await db.schema
    .createIndex('settlement_obligations_creditor')
    .on('settlement_obligations')
    .columns(['creditor_partner_id', 'currency'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('settlement_obligations_creditor').execute();
  await db.schema.dropIndex('settlement_obligations_debtor').execute();
  await db.schema.dropTable('exposure_caps').execute();
}
