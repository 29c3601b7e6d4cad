// Client side of the transfer workflow: start it under the transfer's id (a repeat finds the same
// workflow) and wait a short while for its outcome with update-with-start, in one round trip.
import {
  type Client,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import { transferIdAttribute, withCarriedId } from '../runtime/tracing.ts';
import { startOnce } from './start-once.ts';
import {
  awaitOutcomeUpdate,
  type TransferOutcome,
  type TransferTimeouts,
  transferWorkflow,
} from './transfer.workflow.ts';
import { transferRecoveryWorkflow } from './transfer-recovery.workflow.ts';

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
    // The transfer's id rides with the trace (when one is kept) to the workflow and its activities.
    return await withCarriedId(transferIdAttribute, transferId, () =>
      options.client.withDeadline(deadline, () =>
        options.client.workflow.executeUpdateWithStart(awaitOutcomeUpdate, {
          args: [options.replyWaitMs],
          startWorkflowOperation,
        }),
      ),
    );
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return null;
    throw error;
  }
}

/**
 * Starts the transfer's workflow if it never ran, without waiting for it (the sweep does): true when
 * this call started it, false when it runs or ran already (a finished transfer is never run again).
 */
export async function startTransferIfNeverStarted(
  options: Omit<TransferStarterOptions, 'replyWaitMs'>,
  transferId: string,
): Promise<boolean> {
  return startOnce(options.client, transferWorkflow, {
    workflowId: transferId,
    taskQueue: options.taskQueue,
    args: [{ transferId, timeouts: options.timeouts }],
    memo: sweepMemo,
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
}

/** What Temporal knows of the workflow under an id: none, alive, or closed (and how). */
export interface RunState {
  status:
    | 'not_found'
    | 'running'
    | 'completed'
    | 'failed'
    | 'terminated'
    | 'timed_out'
    | 'cancelled'
    | 'other';
  /** Whether the stranded-transfer sweep started it (its memo says so). */
  startedBySweep: boolean;
}

/** Marks the workflows the sweep starts, so that a sweep retried after a crash still counts them as its own. */
export const sweepMemo = { startedBy: 'stranded-transfer-sweep' } as const;

export async function describeRun(client: Client, workflowId: string): Promise<RunState> {
  try {
    const description = await client.workflow.getHandle(workflowId).describe();
    const name = description.status.name;
    const status: RunState['status'] =
      name === 'RUNNING' || name === 'PAUSED'
        ? 'running'
        : name === 'COMPLETED'
          ? 'completed'
          : name === 'FAILED'
            ? 'failed'
            : name === 'TERMINATED'
              ? 'terminated'
              : name === 'TIMED_OUT'
                ? 'timed_out'
                : name === 'CANCELLED'
                  ? 'cancelled'
                  : 'other';
    return { status, startedBySweep: description.memo?.startedBy === sweepMemo.startedBy };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { status: 'not_found', startedBySweep: false };
    throw error;
  }
}

/**
 * The id of the n-th recovery run of a transfer. Derived, never random: a sweep that runs twice
 * finds the run the first one started instead of starting another.
 */
export function recoveryWorkflowId(transferId: string, attempt: number): string {
  return `${transferId}:recovery:${attempt}`;
}

/** Starts the n-th recovery run of a transfer unless it exists: true when this call started it. */
export async function startTransferRecovery(
  options: Omit<TransferStarterOptions, 'replyWaitMs'>,
  transferId: string,
  attempt: number,
): Promise<boolean> {
  return startOnce(options.client, transferRecoveryWorkflow, {
    workflowId: recoveryWorkflowId(transferId, attempt),
    taskQueue: options.taskQueue,
    args: [{ transferId, timeouts: options.timeouts }],
    memo: sweepMemo,
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
}
