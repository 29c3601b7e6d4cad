// Client side of a points payment's operations: start the operation's workflow under the
// operation's id (a repeat finds it) and wait a short while for its outcome, in one round trip. The
// sweep starts, without waiting, operations whose start never happened; a run that failed or was
// stopped may be started again and carries on under the same keys.
import {
  type Client,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/client';
import {
  awaitPaymentOutcomeUpdate,
  type PointsPaymentOutcome,
  pointsPaymentWorkflow,
} from './points-payment.workflow.ts';
import { startOnce } from './start-once.ts';
import type { TransferTimeouts } from './transfer.workflow.ts';

export interface PointsPaymentStarterOptions {
  client: Client;
  taskQueue: string;
  timeouts: TransferTimeouts;
  replyWaitMs: number;
}

const startMarginMs = 5_000;

/** The operation's outcome if known within replyWaitMs, else null. */
export async function startPointsPaymentOperation(
  options: PointsPaymentStarterOptions,
  operationId: string,
): Promise<PointsPaymentOutcome | null> {
  const startWorkflowOperation = new WithStartWorkflowOperation(pointsPaymentWorkflow, {
    workflowId: operationId,
    taskQueue: options.taskQueue,
    args: [{ operationId, timeouts: options.timeouts }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
  });
  const deadline = Date.now() + options.replyWaitMs + startMarginMs;
  try {
    return await options.client.withDeadline(deadline, () =>
      options.client.workflow.executeUpdateWithStart(awaitPaymentOutcomeUpdate, {
        args: [options.replyWaitMs],
        startWorkflowOperation,
      }),
    );
  } catch (error) {
    // Ended already (completed): the stored operation is the answer.
    if (error instanceof WorkflowExecutionAlreadyStartedError) return null;
    throw error;
  }
}

/** Starts the operation's workflow unless it runs or completed: true when this call started it. */
export async function startPointsPaymentIfNotRunning(
  options: Omit<PointsPaymentStarterOptions, 'replyWaitMs'>,
  operationId: string,
): Promise<boolean> {
  return startOnce(options.client, pointsPaymentWorkflow, {
    workflowId: operationId,
    taskQueue: options.taskQueue,
    args: [{ operationId, timeouts: options.timeouts }],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
  });
}
