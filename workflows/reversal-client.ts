// Client side of the reversal workflow, as for transfers: start it under the reversal's id (a repeat
// finds the same workflow) and wait a short while for its outcome with update-with-start. A run that
// failed (its bookkeeping could not reach the database for the hour it retries, or it was terminated)
// leaves the reversal pending, and may run again under the same id: every step is keyed, so a second
// run finishes what the first began.
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { awaitReversalOutcomeUpdate, type ReversalOutcome, reversalWorkflow } from './reversal.workflow.ts';
import { startOnce } from './start-once.ts';
import type { TransferStarterOptions } from './transfer-client.ts';

const startMarginMs = 5_000;

/** Starts the reversal's workflow unless it runs already; its outcome if known within replyWaitMs, else null. */
export async function startReversalWorkflow(
  options: TransferStarterOptions,
  reversalId: string,
): Promise<ReversalOutcome | null> {
  const startWorkflowOperation = new WithStartWorkflowOperation(reversalWorkflow, {
    workflowId: reversalId,
    taskQueue: options.taskQueue,
    args: [{ reversalId, timeouts: options.timeouts }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
  });
  // Bounded as for transfers: a Temporal that is down costs seconds, and the sweep starts it later.
  const deadline = Date.now() + options.replyWaitMs + startMarginMs;
  try {
    return await options.client.withDeadline(deadline, () =>
      options.client.workflow.executeUpdateWithStart(awaitReversalOutcomeUpdate, {
        args: [options.replyWaitMs],
        startWorkflowOperation,
      }),
    );
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return null;
    throw error;
  }
}

/** Starts the reversal's workflow unless one runs, or completed: true when this call started it. */
export async function startReversalIfNotRunning(
  options: Omit<TransferStarterOptions, 'replyWaitMs'>,
  reversalId: string,
): Promise<boolean> {
  return startOnce(options.client, reversalWorkflow, {
    workflowId: reversalId,
    taskQueue: options.taskQueue,
    args: [{ reversalId, timeouts: options.timeouts }],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
  });
}
