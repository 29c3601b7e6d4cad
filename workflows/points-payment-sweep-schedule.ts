// The Schedule of the points-payment sweep (points-payment-sweep.workflow.ts).
import { type Client, ScheduleOverlapPolicy } from '@temporalio/client';
import { pointsPaymentSweepWorkflow } from './points-payment-sweep.workflow.ts';
import { upsertSchedule } from './schedule-upsert.ts';

export const pointsPaymentSweepScheduleId = (taskQueue: string) => `points-payment-sweep:${taskQueue}`;

export interface PointsPaymentSweep {
  everySeconds: number;
  /** An operation pending this long with no workflow running is started by the sweep. */
  untouchedSeconds: number;
}

export async function ensurePointsPaymentSweepSchedule(
  client: Client,
  input: PointsPaymentSweep & { taskQueue: string },
): Promise<void> {
  const scheduleId = pointsPaymentSweepScheduleId(input.taskQueue);
  const action = {
    type: 'startWorkflow' as const,
    workflowType: pointsPaymentSweepWorkflow,
    workflowId: `${scheduleId}:sweep`,
    taskQueue: input.taskQueue,
    args: [{ untouchedSeconds: input.untouchedSeconds }] as [{ untouchedSeconds: number }],
  };
  const spec = { intervals: [{ every: input.everySeconds * 1000 }] };
  await upsertSchedule(client, {
    scheduleId,
    spec,
    action,
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
  });
}
