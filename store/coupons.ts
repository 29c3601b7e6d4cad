// Coupons as stored: found by their publisher and code as the till reads it (coupon_code_key; a
// generated code is stored in that form already), and redeemed at most once: the redeem is one
// conditional update, so two tills racing for the same code cannot both succeed.
import { type Kysely, sql } from 'kysely';
import type { Coupon, Database } from './database.ts';

/**
 * The publisher's coupon whose code reads as `code` does. A publisher holds no two codes that read
 * the same (the pool upload skips them); two issued before it compared codes so are told apart only
 * by the exact spelling, and without it by neither: no coupon, rather than the other member's.
 */
export async function findPublisherCoupon(
  db: Kysely<Database>,
  input: { publisherId: string; code: string },
): Promise<Coupon | undefined> {
  const found = await db
    .selectFrom('coupons')
    .selectAll()
    .where('publisher_id', '=', input.publisherId)
    .where(sql`coupon_code_key(code)`, '=', sql`coupon_code_key(${input.code}::text)`)
    .orderBy(sql`code = ${input.code}::text`, 'desc')
    .limit(2)
    .execute();
  const [first, second] = found;
  return second === undefined || first?.code === input.code ? first : undefined;
}

/** Marks the coupon redeemed if it is issued and still valid; the coupon as it now stands. */
export async function redeemIssuedCoupon(
  db: Kysely<Database>,
  input: { couponId: string; at: Date },
): Promise<{ redeemedNow: boolean; coupon: Coupon }> {
  const redeemed = await db
    .updateTable('coupons')
    .set({ status: 'redeemed', redeemed_at: input.at })
    .where('id', '=', input.couponId)
    .where('status', '=', 'issued')
    .where((eb) => eb.or([eb('valid_until', 'is', null), eb('valid_until', '>', input.at)]))
    .returningAll()
    .executeTakeFirst();
  if (redeemed) return { redeemedNow: true, coupon: redeemed };
  const coupon = await db
    .selectFrom('coupons')
    .selectAll()
    .where('id', '=', input.couponId)
    .executeTakeFirstOrThrow();
  return { redeemedNow: false, coupon };
}
