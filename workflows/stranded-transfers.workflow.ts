// Run by a Temporal Schedule every minute: no accepted transfer stays in the middle (pending,
// reserved, credited) because the process that accepted it died before starting its workflow,
// Temporal was unreachable at that moment, or its workflow stopped before the end.
import { log, proxyActivities } from '@temporalio/workflow';
import type { StrandedTransferActivities, SweepSummary } from './stranded-transfers-activities.ts';

export interface StrandedTransfersInput {
  /** How long a transfer in a middle state must be untouched before the sweep looks at it. */
  untouchedSeconds: number;
}

const { startStrandedTransfers } = proxyActivities<StrandedTransferActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 3 },
});

export async function strandedTransfersWorkflow(input: StrandedTransfersInput): Promise<SweepSummary> {
  const summary = await startStrandedTransfers(input);
  if (summary.started.length > 0) log.warn('started stranded transfers', { ids: summary.started });
  if (summary.recovered.length > 0) log.warn('started recovery runs', { transferIds: summary.recovered });
  if (summary.expiredHolds.length > 0)
    log.info('failed transfers whose theft hold expired', { transferIds: summary.expiredHolds });
  if (summary.gaveUp.length > 0)
    log.error('transfers no recovery could end', { transferIds: summary.gaveUp });
  return summary;
}
