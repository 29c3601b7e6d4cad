// The refund of an expired, unused coupon, a saga of one step: credit the order's points back to the
// member at their programme, then, in one transaction, mark the coupon refunded, owe the opposite of
// the redemption (the publisher owes the member's programme's partner) and tell both partners. A
// credit with no answer is retried under its key, then asked about; a refusal, or a credit abandoned
// when asked, is flagged for finance: the member is owed points the gateway could not give back.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { CouponRefundActivities } from './coupon-expiry-refund-activities.ts';
import { refusalOf } from './step-failures.ts';
import type { TransferTimeouts } from './transfer.workflow.ts';
import type { WebhookActivities } from './webhook-activities.ts';

export interface CouponRefundInput {
  couponId: string;
  timeouts: TransferTimeouts;
}

/** not_due: the refund had ended already (a run started again after its booking). */
export type CouponRefundOutcome = 'refunded' | 'flagged' | 'not_due';

export async function couponRefundWorkflow(input: CouponRefundInput): Promise<CouponRefundOutcome> {
  const { couponId, timeouts } = input;
  const retry = {
    initialInterval: '200 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
  } as const;
  const step = proxyActivities<CouponRefundActivities>({
    startToCloseTimeout: timeouts.stepAttemptMs,
    scheduleToCloseTimeout: timeouts.stepTotalMs,
    retry,
  });
  const patient = proxyActivities<CouponRefundActivities>({
    startToCloseTimeout: timeouts.stepAttemptMs,
    scheduleToCloseTimeout: timeouts.settleTotalMs,
    retry: { ...retry, maximumInterval: '1 minute' },
  });
  const book = proxyLocalActivities<CouponRefundActivities>({
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: '1 hour',
    retry,
  });
  const webhooks = proxyActivities<WebhookActivities>({
    startToCloseTimeout: timeouts.stepAttemptMs,
    scheduleToCloseTimeout: timeouts.webhookTotalMs,
    retry: { ...retry, maximumInterval: '5 minutes' },
  });
  const bookWebhooks = proxyActivities<WebhookActivities>({
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: '1 hour',
    retry,
  });

  const flag = async (code: string, detail: string): Promise<CouponRefundOutcome> => {
    await book.flagCouponRefund(couponId, code, detail);
    return 'flagged';
  };

  try {
    if (!(await step.refundCouponPoints(couponId))) return 'not_due';
  } catch (error) {
    const refusal = refusalOf(error);
    if (refusal) return flag(refusal.code, refusal.detail);
    if ((await patient.askCouponRefundOutcome(couponId)) === 'abandoned') {
      return flag('partner_unavailable', 'the refund credit got no answer and was abandoned');
    }
  }
  const deliveryIds = await book.completeCouponRefund(couponId);
  await Promise.all(
    deliveryIds.map(async (deliveryId) => {
      try {
        await webhooks.deliverWebhook(deliveryId);
      } catch (error) {
        await bookWebhooks.markWebhookFailed(deliveryId, (error as Error).message);
      }
    }),
  );
  return 'refunded';
}
