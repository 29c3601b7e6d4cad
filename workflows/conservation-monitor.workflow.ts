// Run by a Temporal Schedule (every CONSERVATION_CHECK_EVERY_SECONDS): checks that no point and no
// obligation was made or lost, records the result for the operator, and on a failure alerts the
// operator's webhook. The alert is retried for about one interval: by then the next run checks
// again and, if it still fails, alerts anew, so an operator endpoint that is down delays no check.
import { log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type {
  ConservationCheckOutcome,
  ConservationMonitorActivities,
} from './conservation-monitor-activities.ts';

export interface ConservationMonitorInput {
  /** How long past its expiry a pending hosted reservation is left to the housekeeping. */
  reservationGraceSeconds: number;
  /** How long the alert of a failure is retried before this run gives up on it. */
  alertWithinSeconds: number;
}

const { checkConservation } = proxyActivities<ConservationMonitorActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumAttempts: 3 },
});

export async function conservationMonitorWorkflow(
  input: ConservationMonitorInput,
): Promise<ConservationCheckOutcome> {
  // Keyed by the run itself: two triggers in one second share a workflow id (`<id>-<time to the
  // second>`) but not a run id, while a retried activity of this run finds its own record.
  const { workflowId, runId } = workflowInfo();
  const outcome = await checkConservation({
    runId: `${workflowId}/${runId}`,
    reservationGraceSeconds: input.reservationGraceSeconds,
  });
  if (outcome.ok) return outcome;
  const { alertOperatorOfConservationFailure } = proxyActivities<ConservationMonitorActivities>({
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: Math.max(input.alertWithinSeconds, 60) * 1000,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });
  try {
    await alertOperatorOfConservationFailure(outcome.checkId);
  } catch (error) {
    // The failure is recorded and was logged; the run fails too, so the Schedule shows it.
    log.error('the operator was not alerted of a failed conservation check', {
      checkId: outcome.checkId,
      error: error instanceof Error ? error.message : String(error),
    });
    throw error;
  }
  return outcome;
}
