// Delivers the webhooks of a transfer that ended without a workflow of its own (one settled in the
// transaction that created it, between two hosted programmes): the same retries and final failure
// as a transfer workflow's deliveries. Started by the gateway right after such a transfer, or by the
// stranded-transfer sweep, for the deliveries the transfer's outbox still holds; and by the sweep for
// any delivery a stopped run left pending past its retries (workflows/transfer-webhooks-client.ts).
import { proxyActivities } from '@temporalio/workflow';
import type { WebhookActivities } from './webhook-activities.ts';

export interface TransferWebhooksInput {
  /** The transfer, or for a redelivery the delivery: names the run only. */
  transferId: string;
  deliveryIds: string[];
  stepAttemptMs: number;
  webhookTotalMs: number;
}

export async function transferWebhooksWorkflow(input: TransferWebhooksInput): Promise<void> {
  const retry = { initialInterval: '200 milliseconds', backoffCoefficient: 2 } as const;
  const book = proxyActivities<WebhookActivities>({
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: '1 hour',
    retry: { ...retry, maximumInterval: '10 seconds' },
  });
  const webhooks = proxyActivities<WebhookActivities>({
    startToCloseTimeout: input.stepAttemptMs,
    scheduleToCloseTimeout: input.webhookTotalMs,
    retry: { ...retry, maximumInterval: '5 minutes' },
  });
  await Promise.all(
    input.deliveryIds.map(async (deliveryId) => {
      try {
        await webhooks.deliverWebhook(deliveryId);
      } catch (error) {
        await book.markWebhookFailed(deliveryId, (error as Error).message);
      }
    }),
  );
}
