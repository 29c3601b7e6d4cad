// Client side of a reconciliation run: start its workflow under the run's id (a second start finds
// the first) and wait a short while for it to finish.
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { reconciliationWorkflow } from './reconciliation.workflow.ts';
import { startOnce } from './start-once.ts';

export interface ReconciliationStarterOptions {
  client: Client;
  taskQueue: string;
  replyWaitMs: number;
}

/** True when the run finished (completed or failed) within replyWaitMs. */
export async function startReconciliationRun(
  options: ReconciliationStarterOptions,
  runId: string,
): Promise<boolean> {
  let handle = options.client.workflow.getHandle(runId);
  try {
    handle = await options.client.workflow.start(reconciliationWorkflow, {
      workflowId: runId,
      taskQueue: options.taskQueue,
      args: [{ runId }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  if (options.replyWaitMs <= 0) return false;
  const timeout = new Promise<false>((resolve) =>
    setTimeout(() => resolve(false), options.replyWaitMs).unref(),
  );
  return Promise.race([
    handle.result().then(
      () => true,
      () => true,
    ),
    timeout,
  ]);
}

/**
 * Starts the workflow of a run left running without one (the stranded sweep), without waiting: true
 * when this call started it. A run whose workflow is running or completed is left to it; one whose
 * workflow failed before ending the run (terminated, say) runs again, its fetch starting over.
 */
export function startStrandedReconciliationRun(
  options: { client: Client; taskQueue: string },
  runId: string,
): Promise<boolean> {
  return startOnce(options.client, reconciliationWorkflow, {
    workflowId: runId,
    taskQueue: options.taskQueue,
    args: [{ runId }],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
  });
}
