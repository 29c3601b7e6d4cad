// Coupons at the publisher's till: validate a code (ours? valid? unused? expired?) and redeem it,
// once. Only the coupon's publisher can see or redeem it; to anyone else a code is unknown.
import { isWellFormedGeneratedCode } from '../domain/coupon-code.ts';
import { ProblemError } from '../domain/errors.ts';
import { findPublisherCoupon, redeemIssuedCoupon } from '../store/coupons.ts';
import type { Coupon } from '../store/database.ts';
import type { ServiceContext } from './context.ts';

export type CouponVerdict =
  | { valid: true; coupon: Coupon }
  | {
      valid: false;
      reason: 'unknown' | 'malformed' | 'redeemed' | 'expired' | 'refunded';
      coupon: Coupon | null;
    };

function expired(coupon: Coupon, now: Date): boolean {
  return coupon.status === 'expired' || (coupon.valid_until !== null && coupon.valid_until <= now);
}

export async function validateCoupon(
  context: ServiceContext,
  input: { publisherId: string; code: string; now: Date },
): Promise<CouponVerdict> {
  const coupon = await findPublisherCoupon(context.db, input);
  if (!coupon) {
    // A code shaped like ours whose check character fails is a typo, said before anything else.
    const looksGenerated = /^[0-9a-z]{4}-?[0-9a-z]{4}-?[0-9a-z]{4}-?[0-9a-z]$/i.test(input.code.trim());
    return {
      valid: false,
      reason: looksGenerated && !isWellFormedGeneratedCode(input.code) ? 'malformed' : 'unknown',
      coupon: null,
    };
  }
  if (coupon.status === 'redeemed') return { valid: false, reason: 'redeemed', coupon };
  if (coupon.status === 'refunded') return { valid: false, reason: 'refunded', coupon };
  if (expired(coupon, input.now)) return { valid: false, reason: 'expired', coupon };
  return { valid: true, coupon };
}

/** Redeems the coupon; a second redeem is a clear problem, never a second use. */
export async function redeemCoupon(
  context: ServiceContext,
  input: { publisherId: string; code: string; now: Date },
): Promise<Coupon> {
  const found = await findPublisherCoupon(context.db, input);
  if (!found) {
    throw new ProblemError('not_found', 'No coupon of yours has this code.', [
      { field: 'code', message: 'unknown code' },
    ]);
  }
  const { redeemedNow, coupon } = await redeemIssuedCoupon(context.db, { couponId: found.id, at: input.now });
  if (redeemedNow) return coupon;
  if (coupon.status === 'redeemed') {
    throw new ProblemError(
      'coupon_already_redeemed',
      `Coupon ${coupon.id} was redeemed at ${coupon.redeemed_at?.toISOString()}.`,
    );
  }
  throw new ProblemError(
    'coupon_expired',
    `Coupon ${coupon.id} is ${coupon.status === 'issued' ? 'expired' : coupon.status}.`,
  );
}
