// An order is decided in one statement (store/catalog-order-decision.ts): the stock taken, the
// member's count, a pool code, the key's binding and the order written together, in autocommit, so
// the item's row is held for no round trip. A refusal found after the stock was taken (the member's
// limit, a dry pool, the key bound by another run) must undo the statement's other writes, and one
// statement can only do that by failing: this function fails it, naming the refusal, and PostgreSQL
// rolls back everything the statement wrote.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function catalog_order_refused(reason text, detail text default null) returns boolean
    language plpgsql volatile as $$
    begin
      raise exception using errcode = 'P0001', message = reason, detail = coalesce(detail, ''),
        hint = 'catalog_order_refused';
    end
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function catalog_order_refused(text, text)`.execute(db);
}
