// Partners, their points programmes and their public signing keys.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('partners')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull().check(sql`status in ('active', 'suspended')`))
    .addColumn('webhook_url', 'text')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('programs')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('partner_id', 'text', (column) => column.notNull().references('partners.id'))
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('unit_name', 'text', (column) => column.notNull())
    .addColumn('ledger', 'text', (column) =>
      column.notNull().check(sql`ledger in ('partner_system', 'hosted')`),
    )
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('programs_partner_id').on('programs').column('partner_id').execute();

  await db.schema
    .createTable('partner_keys')
    .addColumn('partner_id', 'text', (column) => column.notNull().references('partners.id'))
    .addColumn('kid', 'text', (column) => column.notNull())
    .addColumn('alg', 'text', (column) => column.notNull())
    .addColumn('public_jwk', 'jsonb', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull().check(sql`status in ('active', 'retired')`))
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('retired_at', 'timestamptz')
    .addPrimaryKeyConstraint('partner_keys_pkey', ['partner_id', 'kid'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('partner_keys').execute();
  await db.schema.dropTable('programs').execute();
  await db.schema.dropTable('partners').execute();
}
