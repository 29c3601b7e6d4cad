// Run by a Temporal Schedule every minute: no accepted transfer stays pending because the process
// that accepted it died before starting its workflow, or Temporal was unreachable at that moment.
import { log, proxyActivities } from '@temporalio/workflow';
import type { StrandedTransferActivities } from './stranded-transfers-activities.ts';

export interface StrandedTransfersInput {
  /** How long a pending transfer must be untouched before it counts as stranded. */
  untouchedSeconds: number;
}

const { startStrandedTransfers } = proxyActivities<StrandedTransferActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 3 },
});

export async function strandedTransfersWorkflow(input: StrandedTransfersInput): Promise<number> {
  const started = await startStrandedTransfers(input);
  if (started.length > 0) log.warn('started stranded transfers', { transferIds: started });
  return started.length;
}
