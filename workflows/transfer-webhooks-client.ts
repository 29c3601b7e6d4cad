// Starts the delivery of a transfer's queued webhooks under a derived id (`<transferId>:webhooks`),
// so a sweep that runs twice, or a sweep after the gateway's own start, never delivers twice.
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.ts';
import { pendingTransferDeliveryIds } from '../store/webhooks.ts';
import { startOnce } from './start-once.ts';
import type { TransferTimeouts } from './transfer.workflow.ts';
import { transferWebhooksWorkflow } from './transfer-webhooks.workflow.ts';

export interface TransferWebhooksOptions {
  client: Client;
  taskQueue: string;
  timeouts: Pick<TransferTimeouts, 'stepAttemptMs' | 'webhookTotalMs'>;
}

export const transferWebhooksWorkflowId = (transferId: string) => `${transferId}:webhooks`;

/** True when this call started the delivery; false when it runs or ran already. */
export async function startTransferWebhooks(
  options: TransferWebhooksOptions,
  transferId: string,
  deliveryIds: string[],
): Promise<boolean> {
  return startOnce(options.client, transferWebhooksWorkflow, {
    workflowId: transferWebhooksWorkflowId(transferId),
    taskQueue: options.taskQueue,
    args: [
      {
        transferId,
        deliveryIds,
        stepAttemptMs: options.timeouts.stepAttemptMs,
        webhookTotalMs: options.timeouts.webhookTotalMs,
      },
    ],
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
}

/**
 * Starts the delivery of what the transfer's outbox still holds, right after the transfer settled
 * without a workflow; nothing to start when it holds nothing (delivered, or never queued).
 */
export async function startPendingTransferWebhooks(
  options: TransferWebhooksOptions & { db: Kysely<Database> },
  transferId: string,
): Promise<boolean> {
  const deliveryIds = await pendingTransferDeliveryIds(options.db, transferId);
  return deliveryIds.length > 0 && startTransferWebhooks(options, transferId, deliveryIds);
}

/**
 * Sends again a delivery its own run left pending past all its retries (the run stopped): one
 * workflow per delivery, under `<deliveryId>:redelivery`, run again only if it failed.
 */
export function startRedelivery(options: TransferWebhooksOptions, deliveryId: string): Promise<boolean> {
  return startOnce(options.client, transferWebhooksWorkflow, {
    workflowId: `${deliveryId}:redelivery`,
    taskQueue: options.taskQueue,
    args: [
      {
        transferId: deliveryId,
        deliveryIds: [deliveryId],
        stepAttemptMs: options.timeouts.stepAttemptMs,
        webhookTotalMs: options.timeouts.webhookTotalMs,
      },
    ],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
  });
}
