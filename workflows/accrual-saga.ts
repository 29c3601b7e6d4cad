// What the accrual's and its refunds' workflows share: their activity proxies (a partner step
// retried for stepTotalMs, a question asked for settleTotalMs, bookkeeping as local activities) and
// the delivery of the webhooks their bookkeeping queued. Workflow code: deterministic.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { AccrualActivities } from './accrual-activities.ts';
import type { TransferTimeouts } from './transfer.workflow.ts';
import type { WebhookActivities } from './webhook-activities.ts';

export function accrualProxies(timeouts: TransferTimeouts) {
  const retry = {
    initialInterval: '200 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
  } as const;
  return {
    step: proxyActivities<AccrualActivities>({
      startToCloseTimeout: timeouts.stepAttemptMs,
      scheduleToCloseTimeout: timeouts.stepTotalMs,
      retry,
    }),
    patient: proxyActivities<AccrualActivities>({
      startToCloseTimeout: timeouts.stepAttemptMs,
      scheduleToCloseTimeout: timeouts.settleTotalMs,
      retry: { ...retry, maximumInterval: '1 minute' },
    }),
    book: proxyLocalActivities<AccrualActivities>({
      startToCloseTimeout: '10 seconds',
      scheduleToCloseTimeout: '1 hour',
      retry,
    }),
    webhooks: {
      send: proxyActivities<WebhookActivities>({
        startToCloseTimeout: timeouts.stepAttemptMs,
        scheduleToCloseTimeout: timeouts.webhookTotalMs,
        retry: { ...retry, maximumInterval: '5 minutes' },
      }),
      book: proxyActivities<WebhookActivities>({
        startToCloseTimeout: '10 seconds',
        scheduleToCloseTimeout: '1 hour',
        retry,
      }),
    },
  };
}

/** Sends each delivery; one that never gets through is marked failed (a partner can read it by GET). */
export async function deliverAll(
  webhooks: ReturnType<typeof accrualProxies>['webhooks'],
  deliveryIds: string[],
): Promise<void> {
  await Promise.all(
    deliveryIds.map(async (deliveryId) => {
      try {
        await webhooks.send.deliverWebhook(deliveryId);
      } catch (error) {
        await webhooks.book.markWebhookFailed(deliveryId, (error as Error).message);
      }
    }),
  );
}
