// Run by a Temporal Schedule (every COUPON_EXPIRY_EVERY_SECONDS): coupons past their end expire,
// and each expired, unused coupon whose item gives the points back gets its refund's saga. The
// refunds are started from what is stored as due, not from this run's batch, so a refund a dead run
// never started is started by the next.
import { log, proxyActivities } from '@temporalio/workflow';
import type { CouponExpiryActivities } from './coupon-expiry-activities.ts';
import type { TransferTimeouts } from './transfer.workflow.ts';

export interface CouponExpiryInput {
  /** How many coupons one statement expires. */
  batchSize: number;
  /** The refund sagas' time budgets. */
  timeouts: TransferTimeouts;
}

export interface CouponExpirySummary {
  expired: number;
  refundsDue: number;
  refundsStarted: string[];
}

const { expireDueCoupons, startDueCouponRefunds } = proxyActivities<CouponExpiryActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 3 },
});

export async function couponExpiryWorkflow(input: CouponExpiryInput): Promise<CouponExpirySummary> {
  const { expired, refundsDue } = await expireDueCoupons({ batchSize: input.batchSize });
  const refundsStarted = await startDueCouponRefunds({ timeouts: input.timeouts });
  if (expired > 0) log.info('coupons expired', { expired, refundsDue });
  if (refundsStarted.length > 0) log.info('coupon refunds started', { couponIds: refundsStarted });
  return { expired, refundsDue, refundsStarted };
}
