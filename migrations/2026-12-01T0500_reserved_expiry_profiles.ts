// What a catalog order's and a points payment's reservation was made of, as the member's programme
// reported it (points and their expiry, soonest first). Points given back later (a coupon refunded
// when it expired unused, a payment's uncaptured rest, a refund) carry it, so that points about to
// expire cannot come back as fresh ones. Null until the reserve is answered, or when the programme
// reports no expiries.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('catalog_orders').addColumn('reserved_expiry_profile', 'jsonb').execute();
  await db.schema.alterTable('points_payments').addColumn('reserved_expiry_profile', 'jsonb').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('points_payments').dropColumn('reserved_expiry_profile').execute();
  await db.schema.alterTable('catalog_orders').dropColumn('reserved_expiry_profile').execute();
}
