// Run by a Temporal Schedule (every POINTS_EXPIRY_EVERY_SECONDS): hosted lots past their end expire
// (each account's in one transaction with its points.expired notice), reminders coming due are
// queued (points.expiring, once per account, day and reminder), then every expiry notice not yet
// delivered is delivered, those a run that died left behind included. Each step is safe to repeat.
import { log, proxyActivities } from '@temporalio/workflow';
import type { PointsExpiryActivities } from './points-expiry-activities.ts';

export interface PointsExpiryInput {
  /** How many accounts (or reminder groups) one page reads. */
  pageSize: number;
  /** A notice that failed this many attempts (across runs) is marked failed and left alone. */
  deliveryAttemptsMax: number;
}

export interface PointsExpirySummary {
  expiredLots: number;
  expiredPoints: string;
  remindersQueued: number;
  delivered: number;
  failed: number;
}

const { expireDuePoints, queueExpiryReminders, deliverExpiryNotices } =
  proxyActivities<PointsExpiryActivities>({
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '1 minute',
    retry: { maximumAttempts: 3 },
  });

export async function pointsExpiryWorkflow(input: PointsExpiryInput): Promise<PointsExpirySummary> {
  const expired = await expireDuePoints({ pageSize: input.pageSize });
  const remindersQueued = await queueExpiryReminders({ pageSize: input.pageSize });
  const delivery = await deliverExpiryNotices({ attemptsMax: input.deliveryAttemptsMax });
  if (expired.lots > 0) log.info('points expired', { lots: expired.lots, points: expired.points });
  return {
    expiredLots: expired.lots,
    expiredPoints: expired.points,
    remindersQueued,
    delivered: delivery.delivered,
    failed: delivery.failed,
  };
}
