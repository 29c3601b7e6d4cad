// Client side of the settlement close: run the close of one period and wait for its cycle. A period
// already closed (or closing) is found, not closed again: the workflow id is the period's. A run that
// failed (an operator terminated it between the seal and the netting) may run again: the seal finds
// the period's cycle by its label, and the netting of a netted cycle does nothing.
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { settlementCloseIdPrefix, settlementCloseWorkflow } from './settlement-close.workflow.ts';

export async function runSettlementClose(
  options: { client: Client; taskQueue: string; waitMs: number },
  periodLabel: string,
): Promise<string> {
  const workflowId = `${settlementCloseIdPrefix}:${options.taskQueue}:${periodLabel}`;
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
