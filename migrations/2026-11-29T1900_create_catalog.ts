// The shared catalog: items partners publish (coupons, products, draws), priced in the publisher's
// own points, versioned (an edit is a new version; an order keeps the version it bought); their
// stock, per-member purchase counts and pools of codes; orders placed from price quotes; and the
// coupons they issue, validated and redeemed at the publisher's till.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('catalog_items')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('publisher_id', 'text', (column) => column.notNull().references('partners.id'))
    .addColumn('program_id', 'text', (column) => column.notNull().references('programs.id'))
    .addColumn('kind', 'text', (column) => column.notNull().check(sql`kind in ('coupon', 'product', 'draw')`))
    .addColumn('status', 'text', (column) => column.notNull().check(sql`status in ('active', 'withdrawn')`))
    .addColumn('current_version', 'integer', (column) => column.notNull())
    // The publisher's own id for an item it syncs from its catalog feed.
    .addColumn('external_ref', 'text')
    .addColumn('code_source', 'text', (column) => column.check(sql`code_source in ('generated', 'pool')`))
    .addColumn('stock_total', 'bigint', (column) => column.notNull().check(sql`stock_total >= 0`))
    .addColumn('stock_left', 'bigint', (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('catalog_items_stock', sql`stock_left >= 0 and stock_left <= stock_total`)
    .execute();
  await sql`create unique index catalog_items_external_ref on catalog_items (publisher_id, external_ref) where external_ref is not null`.execute(
    db,
  );
  await db.schema
    .createIndex('catalog_items_program')
    .on('catalog_items')
    .columns(['program_id', 'id'])
    .execute();

  await db.schema
    .createTable('catalog_item_versions')
    .addColumn('item_id', 'text', (column) => column.notNull().references('catalog_items.id'))
    .addColumn('version', 'integer', (column) => column.notNull().check(sql`version > 0`))
    .addColumn('title', 'text', (column) => column.notNull())
    .addColumn('description', 'text', (column) => column.notNull())
    .addColumn('image_urls', sql`text[]`, (column) => column.notNull())
    .addColumn('tags', sql`text[]`, (column) => column.notNull())
    .addColumn('price_points', 'bigint', (column) => column.notNull().check(sql`price_points > 0`))
    .addColumn('sale_starts_at', 'timestamptz', (column) => column.notNull())
    .addColumn('sale_ends_at', 'timestamptz')
    .addColumn('per_member_limit', 'integer', (column) => column.check(sql`per_member_limit > 0`))
    // Kind-specific terms: a coupon's face value, validity and refund rule; a product's fulfilment.
    .addColumn('details', 'jsonb', (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('catalog_item_versions_pkey', ['item_id', 'version'])
    .execute();

  await db.schema
    .createTable('catalog_member_purchases')
    .addColumn('item_id', 'text', (column) => column.notNull().references('catalog_items.id'))
    .addColumn('member_id', 'text', (column) => column.notNull().references('members.id'))
    .addColumn('bought', 'integer', (column) => column.notNull().check(sql`bought >= 0`))
    .addPrimaryKeyConstraint('catalog_member_purchases_pkey', ['item_id', 'member_id'])
    .execute();

  await db.schema
    .createTable('catalog_codes')
    .addColumn('item_id', 'text', (column) => column.notNull().references('catalog_items.id'))
    .addColumn('code', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) =>
      column.notNull().check(sql`status in ('available', 'held', 'issued')`),
    )
    .addColumn('order_id', 'text')
    .addPrimaryKeyConstraint('catalog_codes_pkey', ['item_id', 'code'])
    .execute();
  await sql`create index catalog_codes_available on catalog_codes (item_id) where status = 'available'`.execute(
    db,
  );

  await db.schema
    .createTable('catalog_orders')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('item_id', 'text', (column) => column.notNull().references('catalog_items.id'))
    .addColumn('item_version', 'integer', (column) => column.notNull())
    .addColumn('quote_id', 'text', (column) => column.notNull().unique().references('quotes.id'))
    .addColumn('requested_by', 'text', (column) => column.notNull().references('partners.id'))
    .addColumn('member_id', 'text', (column) => column.notNull().references('members.id'))
    .addColumn('program_id', 'text', (column) => column.notNull().references('programs.id'))
    .addColumn('account_ref', 'text', (column) => column.notNull())
    .addColumn('debit_points', 'bigint', (column) => column.notNull().check(sql`debit_points > 0`))
    .addColumn('status', 'text', (column) =>
      column.notNull().check(sql`status in ('reserved', 'completed', 'failed', 'needs_attention')`),
    )
    // The pool code held for the order until it completes or fails.
    .addColumn('held_code', 'text')
    .addColumn('failure_code', 'text')
    .addColumn('failure_detail', 'text')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('catalog_orders_version', ['item_id', 'item_version'], 'catalog_item_versions', [
      'item_id',
      'version',
    ])
    .execute();
  await db.schema
    .createIndex('catalog_orders_member')
    .on('catalog_orders')
    .columns(['member_id', 'id'])
    .execute();
  await sql`create index catalog_orders_unfinished on catalog_orders (updated_at) where status = 'reserved'`.execute(
    db,
  );

  await db.schema
    .createTable('catalog_order_steps')
    .addColumn('id', 'bigserial', (column) => column.primaryKey())
    .addColumn('order_id', 'text', (column) => column.notNull().references('catalog_orders.id'))
    .addColumn('step', 'text', (column) => column.notNull())
    .addColumn('outcome', 'text', (column) => column.notNull())
    .addColumn('detail', 'text')
    .addColumn('at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('catalog_order_steps_once', ['order_id', 'step', 'outcome'])
    .execute();

  await db.schema
    .createTable('coupons')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('order_id', 'text', (column) => column.notNull().unique().references('catalog_orders.id'))
    .addColumn('item_id', 'text', (column) => column.notNull().references('catalog_items.id'))
    .addColumn('publisher_id', 'text', (column) => column.notNull().references('partners.id'))
    .addColumn('code', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) =>
      column.notNull().check(sql`status in ('issued', 'redeemed', 'expired', 'refunded')`),
    )
    .addColumn('valid_until', 'timestamptz')
    .addColumn('issued_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('redeemed_at', 'timestamptz')
    .addUniqueConstraint('coupons_code', ['publisher_id', 'code'])
    .execute();
  await sql`create index coupons_expiring on coupons (valid_until) where status = 'issued'`.execute(db);

  // A price quote for an item is a quote whose target is the publisher's programme.
  await db.schema.alterTable('quotes').addColumn('item_id', 'text').execute();
  await db.schema.alterTable('quotes').addColumn('item_version', 'integer').execute();
  await sql`alter table quotes add column used_by_order_id text unique`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('quotes').dropColumn('used_by_order_id').execute();
  await db.schema.alterTable('quotes').dropColumn('item_version').execute();
  await db.schema.alterTable('quotes').dropColumn('item_id').execute();
  for (const table of [
    'coupons',
    'catalog_order_steps',
    'catalog_orders',
    'catalog_codes',
    'catalog_member_purchases',
    'catalog_item_versions',
    'catalog_items',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
