// Settlement statements as issued at the close: one per partner and closed cycle, signed by the
// gateway (a compact JWS, whose payload is the statement). Written once, in the close's
// transaction, never changed: every download states the same signed document.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('settlement_statements')
    .addColumn('cycle_id', 'text', (column) => column.notNull().references('settlement_cycles.id'))
    .addColumn('partner_id', 'text', (column) => column.notNull().references('partners.id'))
    .addColumn('jws', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('settlement_statements_pkey', ['cycle_id', 'partner_id'])
    .execute();
  // Stored out of line but not compressed: base64url barely compresses, and trying costs the close.
  await sql`alter table settlement_statements alter column jws set storage external`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('settlement_statements').execute();
}
