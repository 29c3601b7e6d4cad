// One reconciliation run (its id is the run's): read the programme's list from its loyalty system
// (unless the partner uploaded it), match it with the gateway's record and store the breaks.
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { ReconciliationActivities } from './reconciliation-activities.ts';

const activities = proxyActivities<ReconciliationActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 5 },
});
const bookkeeping = proxyActivities<ReconciliationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export interface ReconciliationRunInput {
  runId: string;
}

export async function reconciliationWorkflow(input: ReconciliationRunInput): Promise<void> {
  try {
    await activities.reconcileRun(input.runId);
  } catch (error) {
    // A partner that stays down for every attempt fails the run, visibly; the next run tries again.
    const detail =
      error instanceof Error
        ? error.cause instanceof Error
          ? error.cause.message
          : error.message
        : String(error);
    await bookkeeping.failReconciliationRun(input.runId, detail);
    throw ApplicationFailure.nonRetryable(
      `reconciliation run ${input.runId} failed: ${detail}`,
      'reconciliation_failed',
    );
  }
}
