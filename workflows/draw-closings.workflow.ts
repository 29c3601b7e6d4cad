// Run by a Schedule: every open draw has its close running, even when the request that published it
// died between the commit and the start, or Temporal was unreachable then.
import { log, proxyActivities } from '@temporalio/workflow';
import type { DrawClosingsActivities } from './draw-closings-activities.ts';

/** Run by a Schedule: starts the close of every open draw whose workflow is not running. */
export async function drawClosingsWorkflow(): Promise<string[]> {
  const { ensureDrawClosings } = proxyActivities<DrawClosingsActivities>({
    startToCloseTimeout: '5 minutes',
    retry: { maximumAttempts: 3 },
  });
  const started = await ensureDrawClosings();
  if (started.length > 0) log.warn('started the close of draws that had none', { itemIds: started });
  return started;
}
