// The daily Schedule's workflow: starts one reconciliation run per programme for the day before,
// each under an id derived from programme and period, so a second trigger of the same day starts
// no second run; and runs again the Schedule's failed days of the week before.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { DailyReconciliationActivities } from './daily-reconciliation-activities.ts';
import { periodOf } from './settlement-close.workflow.ts';

const { startDailyRuns } = proxyActivities<DailyReconciliationActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 5 },
});

export interface DailyReconciliationInput {
  /** The Schedule's run leaves it out and takes its scheduled time. */
  scheduledAt?: string;
}

/** Starts the day before's run of every programme; the runs' ids. */
export async function dailyReconciliationWorkflow(input: DailyReconciliationInput = {}): Promise<string[]> {
  const scheduledAt = input.scheduledAt ?? periodOf(workflowInfo().workflowId);
  return startDailyRuns(scheduledAt);
}
