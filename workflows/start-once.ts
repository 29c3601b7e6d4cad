// A workflow started under an id that names what it runs for (a transfer, an order, a coupon...):
// a second start under that id, while the first runs, starts nothing (and, as its reuse policy says,
// nothing after it closed either). Callers only learn whether this call was the one that started it.
import {
  type Client,
  WorkflowExecutionAlreadyStartedError,
  type WorkflowStartOptions,
} from '@temporalio/client';
import type { Workflow } from '@temporalio/common';

/** True when this call started it; false when a run under that id runs, or ran as the policy forbids again. */
export async function startOnce<T extends Workflow>(
  client: Client,
  workflow: T,
  options: WorkflowStartOptions<T> & {
    workflowIdReusePolicy: 'REJECT_DUPLICATE' | 'ALLOW_DUPLICATE_FAILED_ONLY';
  },
): Promise<boolean> {
  try {
    await client.workflow.start(workflow, { ...options, workflowIdConflictPolicy: 'FAIL' });
    return true;
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw error;
  }
}
