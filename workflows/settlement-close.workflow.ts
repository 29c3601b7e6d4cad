// Closes one settlement cycle: seal the open cycle under the period's label (its obligations are
// final from then on), then net it into positions and payment instructions. Started by the
// settlement Schedule at each cut-off, or by finance through the API; the workflow id carries the
// period, so a second trigger of the same period finds the first run instead of closing twice.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { SettlementActivities } from './settlement-activities.ts';

export const settlementCloseIdPrefix = 'settlement-close';

export interface SettlementCloseInput {
  /** The cut-off this close is for; a Schedule's run leaves it out and takes its scheduled time. */
  periodLabel?: string;
}

const { sealSettlementCycle, netSettlementCycle } = proxyActivities<SettlementActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * A Schedule names each run `<its workflow id>-<scheduled time, RFC 3339>`: that time is the period's
 * cut-off, whatever moment the run actually starts (a catch-up after an outage keeps its period).
 */
export function periodOf(workflowId: string): string {
  const scheduled = /-(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)$/.exec(workflowId);
  if (!scheduled?.[1]) throw new Error(`workflow ${workflowId} names no scheduled time`);
  return scheduled[1];
}

export async function settlementCloseWorkflow(input: SettlementCloseInput = {}): Promise<string> {
  const periodLabel = input.periodLabel ?? periodOf(workflowInfo().workflowId);
  const cycleId = await sealSettlementCycle(periodLabel);
  await netSettlementCycle(cycleId);
  return cycleId;
}
