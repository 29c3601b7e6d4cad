// Client side of the accrual and refund workflows, as for transfers: start one under its own id (a
// repeat finds the same workflow) and wait a short while for its outcome with update-with-start; or,
// for the stranded sweep, start it only if it never ran.
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { type AccrualOutcome, accrualWorkflow, awaitAccrualOutcomeUpdate } from './accrual.workflow.ts';
import { accrualReversalWorkflow, awaitAccrualReversalOutcomeUpdate } from './accrual-reversal.workflow.ts';
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
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
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
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
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

/** Starts an accrual's or a refund's workflow (by its id's prefix) if it never ran: true when this call started it. */
export async function startAccrualIfNeverStarted(
  options: Omit<TransferStarterOptions, 'replyWaitMs'>,
  id: string,
): Promise<boolean> {
  const common = {
    workflowId: id,
    taskQueue: options.taskQueue,
    workflowIdConflictPolicy: 'FAIL',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  } as const;
  try {
    if (id.startsWith('arv_')) {
      await options.client.workflow.start(accrualReversalWorkflow, {
        ...common,
        args: [{ reversalId: id, timeouts: options.timeouts }],
      });
    } else {
      await options.client.workflow.start(accrualWorkflow, {
        ...common,
        args: [{ accrualId: id, timeouts: options.timeouts }],
      });
    }
    return true;
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw error;
  }
}
