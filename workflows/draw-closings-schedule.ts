// The Schedule of the sweep that starts any open draw's missing close (draw-closings.workflow.ts).
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { drawClosingsWorkflow } from './draw-closings.workflow.ts';

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
