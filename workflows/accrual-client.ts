// Client side of the accrual and refund workflows, as for transfers: start one under its own id (a
// repeat finds the same workflow) and wait a short while for its outcome with update-with-start; or,
// for the stranded sweep, start it unless it runs. A run that failed (its bookkeeping could not reach
// the database for the hour it retries, or it was terminated) leaves the accrual pending, and may be
// run again under the same id: every step is keyed, so a second run finishes what the first began.
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { type AccrualOutcome, accrualWorkflow, awaitAccrualOutcomeUpdate } from './accrual.workflow.ts';
import { accrualReversalWorkflow, awaitAccrualReversalOutcomeUpdate } from './accrual-reversal.workflow.ts';
import { startOnce } from './start-once.ts';
import type { TransferStarterOptions } from './transfer-client.ts';

const startMarginMs = 5_000;

/** Starts the accrual's workflow unless it runs already; its outcome if known within replyWaitMs, else null. */
export async function startAccrualWorkflow(
  options: TransferStarterOptions,
  accrualId: string,
): Promise<AccrualOutcome | null> {
  const startWorkflowOperation = new WithStartWorkflowOperation(accrualWorkflow, {
    workflowId: accrualId,
    taskQueue: options.taskQueue,
    args: [{ accrualId, timeouts: options.timeouts }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
  });
  return withStart(options, () =>
    options.client.workflow.executeUpdateWithStart(awaitAccrualOutcomeUpdate, {
      args: [options.replyWaitMs],
      startWorkflowOperation,
    }),
  );
}

/** The same for a refund (an accrual reversal). */
export async function startAccrualReversalWorkflow(
  options: TransferStarterOptions,
  reversalId: string,
): Promise<AccrualOutcome | null> {
  const startWorkflowOperation = new WithStartWorkflowOperation(accrualReversalWorkflow, {
    workflowId: reversalId,
    taskQueue: options.taskQueue,
    args: [{ reversalId, timeouts: options.timeouts }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
  });
  return withStart(options, () =>
    options.client.workflow.executeUpdateWithStart(awaitAccrualReversalOutcomeUpdate, {
      args: [options.replyWaitMs],
      startWorkflowOperation,
    }),
  );
}

// Bounded as for transfers: a Temporal that is down costs seconds, and the sweep starts it later.
async function withStart(
  options: TransferStarterOptions,
  run: () => Promise<AccrualOutcome | null>,
): Promise<AccrualOutcome | null> {
  const deadline = Date.now() + options.replyWaitMs + startMarginMs;
  try {
    return await options.client.withDeadline(deadline, run);
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return null;
    throw error;
  }
}

/**
 * Starts an accrual's or a refund's workflow (by its id's prefix) unless one runs, or completed:
 * true when this call started it.
 */
export async function startAccrualIfNotRunning(
  options: Omit<TransferStarterOptions, 'replyWaitMs'>,
  id: string,
): Promise<boolean> {
  const common = {
    workflowId: id,
    taskQueue: options.taskQueue,
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
  } as const;
  return id.startsWith('arv_')
    ? startOnce(options.client, accrualReversalWorkflow, {
        ...common,
        args: [{ reversalId: id, timeouts: options.timeouts }],
      })
    : startOnce(options.client, accrualWorkflow, {
        ...common,
        args: [{ accrualId: id, timeouts: options.timeouts }],
      });
}
