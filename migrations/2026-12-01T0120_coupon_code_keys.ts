// The till reads a code as coupon_code_key reads it (case aside for a to z, without hyphens or white
// space, I and L as 1, O as 0: domain/coupon-code.ts's normalizeCouponCode, character for character),
// so a publisher must never hold two codes with one key: the pool upload compares keys, under the
// publisher's lock, with every code the publisher holds, in any item's pool or on a coupon issued;
// the till finds a coupon by its key. The function spells out its characters (no upper(), whose
// reading of letters beyond a to z depends on the database's locale), so that it is immutable and
// an index may hold it.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function coupon_code_key(code text) returns text
    language sql immutable strict parallel safe
    return translate(
      code,
      'abcdefghijklmnopqrstuvwxyzILO'
        || U&'-\\0009\\000A\\000B\\000C\\000D\\0020\\00A0\\1680\\2000\\2001\\2002\\2003\\2004\\2005\\2006\\2007\\2008\\2009\\200A\\2028\\2029\\202F\\205F\\3000\\FEFF',
      'ABCDEFGH1JK1MN0PQRSTUVWXYZ110')`.execute(db);
  await sql`create index catalog_codes_code_key on catalog_codes (coupon_code_key(code))`.execute(db);
  await sql`create index coupons_code_key on coupons (publisher_id, coupon_code_key(code))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index coupons_code_key`.execute(db);
  await sql`drop index catalog_codes_code_key`.execute(db);
  await sql`drop function coupon_code_key(text)`.execute(db);
}
