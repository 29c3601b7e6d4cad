// Client side of a coupon's refund: its workflow id is derived from the coupon, so a second start
// (the next expiry run, or two runs at once) finds the first. A run that failed or was stopped may
// be started again, and carries on under the same idempotency key; one that ended may not.
import type { Client } from '@temporalio/client';
import { couponRefundWorkflow } from './coupon-expiry-refund.workflow.ts';
import { startOnce } from './start-once.ts';
import type { TransferTimeouts } from './transfer.workflow.ts';

export function couponRefundWorkflowId(couponId: string): string {
  return `${couponId}:refund`;
}

/** True when this call started it; false when it runs or ended already. */
export async function startCouponRefund(
  options: { client: Client; taskQueue: string; timeouts: TransferTimeouts },
  couponId: string,
): Promise<boolean> {
  return startOnce(options.client, couponRefundWorkflow, {
    workflowId: couponRefundWorkflowId(couponId),
    taskQueue: options.taskQueue,
    args: [{ couponId, timeouts: options.timeouts }],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
  });
}
