// The baseline for transfers: a workflow with as many activities as a transfer has (reserve,
// credit, post, complete), each doing nothing, with the same timeouts.
import { proxyActivities } from '@temporalio/workflow';
import type { BareActivities } from './bare-worker.ts';

const { nothing } = proxyActivities<BareActivities>({ startToCloseTimeout: '10 seconds' });

export async function bareTransferWorkflow(): Promise<string> {
  await nothing();
  await nothing();
  await nothing();
  await nothing();
  return 'completed';
}
