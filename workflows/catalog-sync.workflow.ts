// Catalog sync, run by a Temporal Schedule (every CATALOG_SYNC_EVERY_SECONDS): a child workflow per
// programme kept in a partner's own system reads that programme's feed and applies it. The child's
// id is fixed per programme, so one programme is never synced twice at once (a child still running
// from before is left to finish, and this run counts the programme as busy). A programme whose feed
// fails is skipped until the next run; its child's outcome says why.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { executeChild, log, ParentClosePolicy, proxyActivities } from '@temporalio/workflow';
import type { CatalogSyncActivities, ProgramSyncOutcome } from './catalog-sync-activities.ts';

const { listCatalogFeedPrograms } = proxyActivities<CatalogSyncActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumAttempts: 5 },
});

const { syncCatalogFromFeed } = proxyActivities<CatalogSyncActivities>({
  // A feed of 200 pages, each a signed call, and its changes: generous, and heartbeats show progress.
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumAttempts: 3 },
});

export interface CatalogSyncSummary {
  programs: number;
  synced: number;
  noFeed: number;
  skipped: { programId: string; reason: string }[];
  added: number;
  revised: number;
  withdrawn: number;
  unchanged: number;
  refused: number;
}

/** How many programmes are synced at once. */
const parallelPrograms = 8;

export function catalogSyncChildId(programId: string): string {
  return `catalog-sync:${programId}`;
}

/** One programme: read its feed and apply it. */
export async function programCatalogSyncWorkflow(programId: string): Promise<ProgramSyncOutcome> {
  return syncCatalogFromFeed(programId);
}

async function syncOne(programId: string): Promise<ProgramSyncOutcome> {
  try {
    return await executeChild(programCatalogSyncWorkflow, {
      workflowId: catalogSyncChildId(programId),
      args: [programId],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      return { outcome: 'skipped', programId, reason: 'a sync of this programme is still running' };
    }
    const cause = error instanceof Error ? (error.cause ?? error) : error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    log.warn('catalog sync of a programme failed; retried at the next run', { programId, reason });
    return { outcome: 'skipped', programId, reason };
  }
}

export async function catalogSyncWorkflow(): Promise<CatalogSyncSummary> {
  const programIds = await listCatalogFeedPrograms();
  const outcomes: ProgramSyncOutcome[] = [];
  for (let start = 0; start < programIds.length; start += parallelPrograms) {
    outcomes.push(...(await Promise.all(programIds.slice(start, start + parallelPrograms).map(syncOne))));
  }
  const summary: CatalogSyncSummary = {
    programs: programIds.length,
    synced: 0,
    noFeed: 0,
    skipped: [],
    added: 0,
    revised: 0,
    withdrawn: 0,
    unchanged: 0,
    refused: 0,
  };
  for (const outcome of outcomes) {
    if (outcome.outcome === 'no_feed') summary.noFeed += 1;
    else if (outcome.outcome === 'skipped') {
      summary.skipped.push({ programId: outcome.programId, reason: outcome.reason });
    } else {
      summary.synced += 1;
      summary.added += outcome.report.added;
      summary.revised += outcome.report.revised;
      summary.withdrawn += outcome.report.withdrawn;
      summary.unchanged += outcome.report.unchanged;
      summary.refused += outcome.report.refused.length;
    }
  }
  if (summary.skipped.length > 0) {
    log.warn('catalog sync skipped programmes', { skipped: summary.skipped });
  }
  return summary;
}
