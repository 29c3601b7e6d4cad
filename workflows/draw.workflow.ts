// A points draw's close: a durable timer until the draw closes (it fires on time whatever workers
// restarted meanwhile), then the close itself, retried while entries' points are still moving, then
// the partners told. The sweep (draw-closings.workflow.ts) makes sure every open draw has it running.
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { DrawActivities } from './draw-activities.ts';
import type { WebhookActivities } from './webhook-activities.ts';

export interface DrawInput {
  itemId: string;
  webhookTotalMs: number;
}

export async function drawWorkflow(input: DrawInput): Promise<'closed' | 'not_a_draw'> {
  const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;
  // No overall limit: a draw closes however long its last entries take (each ends within the
  // order's own settle budget).
  const book = proxyActivities<DrawActivities>({ startToCloseTimeout: '2 minutes', retry });
  const webhooks = proxyActivities<WebhookActivities>({
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: input.webhookTotalMs,
    retry: { ...retry, maximumInterval: '5 minutes' },
  });
  const bookWebhooks = proxyActivities<WebhookActivities>({ startToCloseTimeout: '10 seconds', retry });

  const closesAt = await book.drawClosesAt(input.itemId);
  if (closesAt === null) return 'not_a_draw';
  const wait = Date.parse(closesAt) - Date.now();
  if (wait > 0) await sleep(wait);
  const deliveryIds = await book.closeDrawWhenEntriesEnd(input.itemId);
  await Promise.all(
    deliveryIds.map(async (deliveryId) => {
      try {
        await webhooks.deliverWebhook(deliveryId);
      } catch (error) {
        await bookWebhooks.markWebhookFailed(deliveryId, (error as Error).message);
      }
    }),
  );
  return 'closed';
}
