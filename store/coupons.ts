// Coupons as stored: found by their publisher and code (a generated code in its plain form), and
// redeemed at most once: the redeem is one conditional update, so two tills racing for the same code
// cannot both succeed.
import type { Kysely } from 'kysely';
import { normalizeCouponCode } from '../domain/coupon-code.ts';
import type { Coupon, Database } from './database.ts';

export async function findPublisherCoupon(
  db: Kysely<Database>,
  input: { publisherId: string; code: string },
): Promise<Coupon | undefined> {
  const exact = await db
    .selectFrom('coupons')
    .selectAll()
    .where('publisher_id', '=', input.publisherId)
    .where('code', 'in', [input.code, normalizeCouponCode(input.code)])
    .executeTakeFirst();
  return exact;
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
