// Coupons expire on time, and an expired, unused coupon whose item allows it is refunded: the
// expiry marks the refund due in the same statement, so a refund is never forgotten between the
// two, and the refund's saga ends it (refunded) or flags it for finance (the member's programme
// refused the credit, or its answer was never had).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('coupons')
    .addColumn('expired_at', 'timestamptz')
    .addColumn('refund_status', 'text', (column) =>
      column.check(sql`refund_status in ('due', 'refunded', 'flagged')`),
    )
    .addColumn('refund_failure_code', 'text')
    .addColumn('refund_failure_detail', 'text')
    .addColumn('refunded_at', 'timestamptz')
    .execute();
  // Only an expired coupon is refunded, and a coupon is refunded exactly when its refund is.
  await sql`alter table coupons add constraint coupons_refund_of_expired
    check (refund_status is null or status in ('expired', 'refunded'))`.execute(db);
  await sql`alter table coupons add constraint coupons_refunded_status
    check ((status = 'refunded') = (refund_status is not distinct from 'refunded'))`.execute(db);
  await sql`create index coupons_refund_due on coupons (id) where refund_status = 'due'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index coupons_refund_due`.execute(db);
  await sql`alter table coupons drop constraint coupons_refunded_status`.execute(db);
  await sql`alter table coupons drop constraint coupons_refund_of_expired`.execute(db);
  await db.schema
    .alterTable('coupons')
    .dropColumn('refunded_at')
    .dropColumn('refund_failure_detail')
    .dropColumn('refund_failure_code')
    .dropColumn('refund_status')
    .dropColumn('expired_at')
    .execute();
}
