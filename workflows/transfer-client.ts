// Client side of the transfer workflow: start it under the transfer's id (a repeat finds the same
// workflow) and wait a short while for its outcome with update-with-start, in one round trip.
import {
  type Client,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/client';
import {
  awaitOutcomeUpdate,
  type TransferOutcome,
  type TransferTimeouts,
  transferWorkflow,
} from './transfer.workflow.ts';

export interface TransferStarterOptions {
  client: Client;
  taskQueue: string;
  timeouts: TransferTimeouts;
  replyWaitMs: number;
}

const startMarginMs = 5_000;

/**
 * Starts the transfer's workflow unless it runs already, and returns its outcome if it is known
 * within replyWaitMs, otherwise null (the caller then answers with the current state).
 */
export async function startTransferWorkflow(
  options: TransferStarterOptions,
  transferId: string,
): Promise<TransferOutcome | null> {
  const startWorkflowOperation = new WithStartWorkflowOperation(transferWorkflow, {
    workflowId: transferId,
    taskQueue: options.taskQueue,
    args: [{ transferId, timeouts: options.timeouts }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    // A finished transfer is never run again under its id.
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
  // Bounded, so that a Temporal that is down costs the caller seconds, not the SDK's retry budget:
  // the transfer is recorded already, and the stranded-transfer sweep starts it later.
  const deadline = Date.now() + options.replyWaitMs + startMarginMs;
  try {
    return await options.client.withDeadline(deadline, () =>
      options.client.workflow.executeUpdateWithStart(awaitOutcomeUpdate, {
        args: [options.replyWaitMs],
        startWorkflowOperation,
      }),
    );
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return null;
    throw error;
  }
}

/**
 * Starts the transfer's workflow if it never ran, without waiting for it: true when this call
 * started it, false when it runs or ran already (a finished transfer is never run again).
 */
export async function startTransferIfNeverStarted(
  options: Omit<TransferStarterOptions, 'replyWaitMs'>,
  transferId: string,
): Promise<boolean> {
  try {
    await options.client.workflow.start(transferWorkflow, {
      workflowId: transferId,
      taskQueue: options.taskQueue,
      args: [{ transferId, timeouts: options.timeouts }],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    return true;
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw error;
  }
}
