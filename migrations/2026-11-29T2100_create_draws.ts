// Points draws: a catalog item of kind 'draw' sells entries (its orders) until it closes. Its terms
// (how many win, the prize coupon, the consolation coupon), the secret seed whose SHA-256 was
// published with the item, and, once closed, the frozen entry list's hash; each entry's place among
// the winners. docs/draws.md describes the scheme.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('catalog_draws')
    .addColumn('item_id', 'text', (column) => column.primaryKey().references('catalog_items.id'))
    .addColumn('winners', 'integer', (column) => column.notNull().check(sql`winners > 0`))
    .addColumn('prize_description', 'text', (column) => column.notNull())
    // Coupon items whose version, as it was at publication, winners and losers receive.
    .addColumn('prize_item_id', 'text', (column) => column.references('catalog_items.id'))
    .addColumn('prize_item_version', 'integer')
    .addColumn('consolation_item_id', 'text', (column) => column.references('catalog_items.id'))
    .addColumn('consolation_item_version', 'integer')
    .addColumn('closes_at', 'timestamptz', (column) => column.notNull())
    // Secret until the close: 32 bytes as hex. The commitment (its SHA-256) is public from the start.
    .addColumn('seed', 'text', (column) => column.notNull().check(sql`seed ~ '^[0-9a-f]{64}$'`))
    .addColumn('commitment', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull().check(sql`status in ('open', 'closed')`))
    .addColumn('entries_hash', 'text')
    .addColumn('closed_at', 'timestamptz')
    .addCheckConstraint(
      'catalog_draws_closed',
      sql`(status = 'closed') = (entries_hash is not null and closed_at is not null)`,
    )
    .addCheckConstraint(
      'catalog_draws_prize_version',
      sql`(prize_item_id is null) = (prize_item_version is null)`,
    )
    .addCheckConstraint(
      'catalog_draws_consolation_version',
      sql`(consolation_item_id is null) = (consolation_item_version is null)`,
    )
    .execute();

  // The entry list frozen at the close: every completed order of the draw, and the winners' places.
  await db.schema
    .createTable('catalog_draw_entries')
    .addColumn('order_id', 'text', (column) => column.primaryKey().references('catalog_orders.id'))
    .addColumn('item_id', 'text', (column) => column.notNull().references('catalog_draws.item_id'))
    .addColumn('winner_rank', 'integer', (column) => column.check(sql`winner_rank > 0`))
    .addUniqueConstraint('catalog_draw_entries_rank', ['item_id', 'winner_rank'])
    .execute();
  await db.schema
    .createIndex('catalog_draw_entries_item')
    .on('catalog_draw_entries')
    .columns(['item_id', 'order_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('catalog_draw_entries').execute();
  await db.schema.dropTable('catalog_draws').execute();
}
