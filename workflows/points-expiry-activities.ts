// The points expiry's I/O. The instant is the activity's clock (a retried activity reads it again:
// what expired at the first attempt stays expired, and a reminder's id makes a second queueing a
// no-op). Notices are delivered here rather than one activity each, so a run with many members
// keeps a short history; a notice not delivered stays pending for the next run.
import { heartbeat } from '@temporalio/activity';
import type { ServiceContext } from '../services/context.ts';
import { expireDuePoints, expiryEventTypes, queueExpiryReminders } from '../services/points-expiry.ts';
import type { SigningKeyPair } from '../signing/keys.ts';
import { listPendingDeliveryIds, recordDeliveryAttempt } from '../store/webhooks.ts';
import { createWebhookActivities } from './webhook-activities.ts';

export interface PointsExpiryActivityDependencies {
  context: ServiceContext;
  gatewayIssuer: string;
  gatewayKey: SigningKeyPair;
  webhookTimeoutMs: number;
}

const deliveryPageSize = 200;

export function createPointsExpiryActivities(deps: PointsExpiryActivityDependencies) {
  const webhooks = createWebhookActivities({
    db: deps.context.db,
    gatewayIssuer: deps.gatewayIssuer,
    gatewayKey: deps.gatewayKey,
    webhookTimeoutMs: deps.webhookTimeoutMs,
  });
  return {
    async expireDuePoints(input: { pageSize: number }): Promise<{ lots: number; points: string }> {
      const count = await expireDuePoints(deps.context, {
        now: new Date(),
        pageSize: input.pageSize,
        onPage: (sofar) => heartbeat(sofar.lots),
      });
      return { lots: count.lots, points: String(count.points) };
    },

    queueExpiryReminders: (input: { pageSize: number }): Promise<number> =>
      queueExpiryReminders(deps.context, { now: new Date(), pageSize: input.pageSize }),

    async deliverExpiryNotices(input: {
      attemptsMax: number;
    }): Promise<{ delivered: number; failed: number }> {
      const result = { delivered: 0, failed: 0 };
      let afterId: string | null = null;
      while (true) {
        const page = await listPendingDeliveryIds(deps.context.db, {
          eventTypes: expiryEventTypes,
          afterId,
          limit: deliveryPageSize,
        });
        for (const delivery of page) {
          try {
            await webhooks.deliverWebhook(delivery.id);
            result.delivered += 1;
          } catch (error) {
            // deliverWebhook counted the attempt; the last one allowed ends the notice's tries.
            if (delivery.attempts + 1 >= input.attemptsMax) {
              await recordDeliveryAttempt(deps.context.db, {
                deliveryId: delivery.id,
                status: 'failed',
                error: (error as Error).message,
              });
              result.failed += 1;
            }
          }
        }
        heartbeat(result);
        const last = page[page.length - 1];
        if (!last || page.length < deliveryPageSize) return result;
        afterId = last.id;
      }
    },
  };
}

export type PointsExpiryActivities = ReturnType<typeof createPointsExpiryActivities>;
