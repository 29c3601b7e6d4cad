// The Schedule of the sweep that starts any open draw's missing close (draw-closings.workflow.ts).
import { type Client, ScheduleOverlapPolicy } from '@temporalio/client';
import { drawClosingsWorkflow } from './draw-closings.workflow.ts';
import { upsertSchedule } from './schedule-upsert.ts';

export const drawClosingsScheduleId = (taskQueue: string) => `draw-closings:${taskQueue}`;

/** The Schedule of the sweep that starts any open draw's missing close. */
export async function ensureDrawClosingsSchedule(
  client: Client,
  input: { taskQueue: string; everySeconds: number },
): Promise<void> {
  const scheduleId = drawClosingsScheduleId(input.taskQueue);
  const action = {
    type: 'startWorkflow' as const,
    workflowType: drawClosingsWorkflow,
    workflowId: `${scheduleId}:sweep`,
    taskQueue: input.taskQueue,
    args: [] as [],
  };
  const spec = { intervals: [{ every: input.everySeconds * 1000 }] };
  await upsertSchedule(client, {
    scheduleId,
    spec,
    action,
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
  });
}
