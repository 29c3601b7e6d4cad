// A coupon refund's activities: the credit at the member's programme under the key
// `<couponId>:refund` (the order's points, to the order's account), the question about a credit
// that got no answer, and the bookkeeping. A refusal is a non-retryable ApplicationFailure whose
// type is the partner's code; a fault is thrown as is and retried with the same key.
import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { StepState } from '../adapters/loyalty-adapter.ts';
import type { AdapterResolver } from '../adapters/resolver.ts';
import { scaleProfile } from '../domain/point-lots.ts';
import { recordOrderStep } from '../store/catalog-orders.ts';
import type { Db } from '../store/connection.ts';
import { completeCouponRefund, findCouponWithOrder, flagCouponRefund } from '../store/coupon-expiry.ts';
import { reservedExpiryProfile } from '../store/reserved-expiry-profiles.ts';

export interface CouponRefundActivityDependencies {
  db: Db;
  adapters: AdapterResolver;
}

export const couponRefundKey = (couponId: string) => `${couponId}:refund`;

export function createCouponRefundActivities(deps: CouponRefundActivityDependencies) {
  async function load(couponId: string) {
    const found = await findCouponWithOrder(deps.db, couponId);
    if (!found) throw ApplicationFailure.nonRetryable(`coupon ${couponId} does not exist`, 'coupon_missing');
    return found;
  }

  return {
    /** Credits the order's points back to the member; false when the refund is not due (it ended). */
    async refundCouponPoints(couponId: string): Promise<boolean> {
      const { coupon, order } = await load(couponId);
      if (coupon.refund_status !== 'due') return false;
      const adapter = await deps.adapters.forProgram(order.program_id);
      // The points come back no fresher than they left: each keeps the expiry of the lot that paid.
      const paidWith = reservedExpiryProfile(order);
      const answer = await adapter.credit({
        key: couponRefundKey(coupon.id),
        accountRef: order.account_ref,
        points: order.debit_points,
        reason: `alliance catalog coupon ${coupon.id} (order ${order.id}) expired unused`,
        ...(paidWith ? { expiryProfile: scaleProfile(paidWith, order.debit_points) } : {}),
      });
      if (answer.outcome === 'refused') {
        await recordOrderStep(deps.db, {
          orderId: order.id,
          step: 'coupon_refund',
          outcome: 'refused',
          detail: `${answer.code}: ${answer.detail}`,
        });
        throw ApplicationFailure.nonRetryable(answer.detail || answer.code, answer.code);
      }
      await recordOrderStep(deps.db, { orderId: order.id, step: 'coupon_refund', outcome: 'done' });
      return true;
    },

    /** Asks what became of a credit that got no answer; the partner fences an unknown key. */
    async askCouponRefundOutcome(couponId: string): Promise<StepState> {
      const { coupon, order } = await load(couponId);
      const state = await (await deps.adapters.forProgram(order.program_id)).outcome(
        couponRefundKey(coupon.id),
      );
      await recordOrderStep(deps.db, {
        orderId: order.id,
        step: 'coupon_refund_outcome_asked',
        outcome: state,
      });
      return state;
    },

    completeCouponRefund: (couponId: string): Promise<string[]> =>
      completeCouponRefund(deps.db, { couponId, now: new Date() }),

    /** The member did not get the points back: kept on the coupon and the order, and logged for finance. */
    async flagCouponRefund(couponId: string, code: string, detail: string): Promise<void> {
      if (await flagCouponRefund(deps.db, { couponId, code, detail })) {
        log.error('an expired coupon could not be refunded; finance must look', { couponId, code, detail });
      }
    },
  };
}

export type CouponRefundActivities = ReturnType<typeof createCouponRefundActivities>;
