// The points expiry's I/O. The instant is the activity's clock (a retried activity reads it again:
// what expired at the first attempt stays expired, and a reminder's id makes a second queueing a
// no-op). Notices are delivered here rather than one activity each, so a run with many members
// keeps a short history; a notice not delivered stays pending for the next run.
import { heartbeat } from '@temporalio/activity';
import type { ServiceContext } from '../services/context.ts';
import { expireDuePoints, expiryEventTypes, queueExpiryReminders } from '../services/points-expiry.ts';
import type { SigningKeyPair } from '../signing/keys.ts';
import { listPendingDeliveryIds, recordDeliveryAttempt } from '../store/webhooks.ts';
import { createWebhookActivities, endpointFailing } from './webhook-activities.ts';

export interface PointsExpiryActivityDependencies {
  context: ServiceContext;
  gatewayIssuer: string;
  gatewayKey: SigningKeyPair;
  webhookTimeoutMs: number;
}

const deliveryPageSize = 200;
/**
 * How long one run delivers before it leaves the rest to the next run: well within the activity's
 * start-to-close, so a long backlog or a slow partner never times the activity out.
 */
export const expiryDeliveryBudgetMs = 4 * 60_000;

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
      queueExpiryReminders(deps.context, {
        now: new Date(),
        pageSize: input.pageSize,
        onPage: (queued) => heartbeat(queued),
      }),

    /**
     * Delivers the pending notices in id order for up to `budgetMs`. A partner whose endpoint fails
     * (no answer, 5xx, 408 or 429) is not called again in this run (its notices wait for the next
     * one), so a partner that is down or hangs costs one call a run, and every other partner's
     * notices still go out; a partner refusing one notice (another 4xx) is still sent the next.
     */
    async deliverExpiryNotices(input: {
      attemptsMax: number;
      budgetMs?: number;
    }): Promise<{ delivered: number; failed: number }> {
      const result = { delivered: 0, failed: 0 };
      const stopAt = Date.now() + (input.budgetMs ?? expiryDeliveryBudgetMs);
      const failing = new Set<string>();
      let afterId: string | null = null;
      while (true) {
        const page = await listPendingDeliveryIds(deps.context.db, {
          eventTypes: expiryEventTypes,
          afterId,
          limit: deliveryPageSize,
        });
        for (const delivery of page) {
          if (Date.now() >= stopAt) return result;
          if (failing.has(delivery.partner_id)) continue;
          try {
            await webhooks.deliverWebhook(delivery.id);
            result.delivered += 1;
          } catch (error) {
            if (endpointFailing(error)) failing.add(delivery.partner_id);
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
          // Each call may take the whole webhook timeout: the heartbeat follows every one.
          heartbeat(result);
        }
        const last = page[page.length - 1];
        if (!last || page.length < deliveryPageSize) return result;
        afterId = last.id;
      }
    },
  };
}

export type PointsExpiryActivities = ReturnType<typeof createPointsExpiryActivities>;
