// Client side of the settlement close: run the close of one period and wait for its cycle. A period
// already closed (or closing) is found, not closed again: the workflow id is the period's. A run that
// failed (an operator terminated it between the seal and the netting) may run again: the seal finds
// the period's cycle by its label, and the netting of a netted cycle does nothing.
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { settlementCloseIdPrefix, settlementCloseWorkflow } from './settlement-close.workflow.ts';
import { startOnce } from './start-once.ts';

interface CloseStarterOptions {
  client: Client;
  taskQueue: string;
}

const closeWorkflowId = (taskQueue: string, periodLabel: string) =>
  `${settlementCloseIdPrefix}:${taskQueue}:${periodLabel}`;

export async function runSettlementClose(
  options: CloseStarterOptions & { waitMs: number },
  periodLabel: string,
): Promise<string> {
  const workflowId = closeWorkflowId(options.taskQueue, periodLabel);
  try {
    const handle = await options.client.workflow.start(settlementCloseWorkflow, {
      workflowId,
      taskQueue: options.taskQueue,
      args: [{ periodLabel }],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
    });
    return await options.client.withDeadline(Date.now() + options.waitMs, () => handle.result());
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    const handle = options.client.workflow.getHandle<typeof settlementCloseWorkflow>(workflowId);
    return options.client.withDeadline(Date.now() + options.waitMs, () => handle.result());
  }
}

/**
 * Starts the close of a period whose cycle was sealed and never netted (a Schedule's run stopped in
 * between), without waiting: true when this call started it. A Schedule's run has an id of its own, so
 * it may still be netting; the two then net one after the other, and the second finds the work done.
 */
export function startSettlementClose(options: CloseStarterOptions, periodLabel: string): Promise<boolean> {
  return startOnce(options.client, settlementCloseWorkflow, {
    workflowId: closeWorkflowId(options.taskQueue, periodLabel),
    taskQueue: options.taskQueue,
    args: [{ periodLabel }],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
  });
}
