// A partner's list, staged for its run, as pages: one row per page the partner answered (up to
// 5,000 items, each column an array), instead of one row per item. Staging a million items wrote a
// million rows and the match deleted them again, a write per row (1.0–1.4 s of a 12 s match over a
// million operations); as pages, 200 rows. The match reads them through unnest. Items staged by runs
// in flight (an upload waiting for its match) move into a page per run.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('reconciliation_partner_pages')
    .addColumn('id', 'bigserial', (column) => column.primaryKey())
    .addColumn('run_id', 'text', (column) => column.notNull().references('reconciliation_runs.id'))
    .addColumn('keys', sql`text[]`, (column) => column.notNull())
    .addColumn('operations', sql`text[]`, (column) => column.notNull())
    .addColumn('account_refs', sql`text[]`, (column) => column.notNull())
    .addColumn('points', sql`int8[]`, (column) => column.notNull())
    .addColumn('statuses', sql`text[]`, (column) => column.notNull())
    .addColumn('ats', sql`timestamptz[]`, (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('reconciliation_partner_pages_run')
    .on('reconciliation_partner_pages')
    .column('run_id')
    .execute();
  // Read once, soon after written: compressing them costs more than the pages it saves.
  for (const column of ['keys', 'operations', 'account_refs', 'points', 'statuses', 'ats'])
    await sql`alter table reconciliation_partner_pages alter column ${sql.ref(column)} set storage external`.execute(
      db,
    );
  await sql`insert into reconciliation_partner_pages (run_id, keys, operations, account_refs, points, statuses, ats)
    select run_id, array_agg(key), array_agg(operation), array_agg(account_ref), array_agg(points),
      array_agg(status), array_agg(at)
    from reconciliation_partner_items group by run_id`.execute(db);
  await db.schema.dropTable('reconciliation_partner_items').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
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
  await sql`insert into reconciliation_partner_items (run_id, key, operation, account_ref, points, status, at)
    select page.run_id, item.* from reconciliation_partner_pages page,
      unnest(page.keys, page.operations, page.account_refs, page.points, page.statuses, page.ats) as item`.execute(
    db,
  );
  await db.schema.dropTable('reconciliation_partner_pages').execute();
}
