// The Temporal Schedules the alliance runs; made (or brought up to date) when a worker starts, so a
// fresh deployment needs no separate step. Ids are fixed per task queue: a second worker finds them.
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { strandedTransfersWorkflow } from './stranded-transfers.workflow.ts';

export function strandedTransfersScheduleId(taskQueue: string): string {
  return `stranded-transfers:${taskQueue}`;
}

export async function ensureStrandedTransfersSchedule(
  client: Client,
  input: { taskQueue: string; everySeconds: number; untouchedSeconds: number },
): Promise<void> {
  const scheduleId = strandedTransfersScheduleId(input.taskQueue);
  const action = {
    type: 'startWorkflow' as const,
    workflowType: strandedTransfersWorkflow,
    workflowId: `${scheduleId}:sweep`,
    taskQueue: input.taskQueue,
    args: [{ untouchedSeconds: input.untouchedSeconds }] as [{ untouchedSeconds: number }],
  };
  const spec = { intervals: [{ every: input.everySeconds * 1000 }] };
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action }));
  }
}
