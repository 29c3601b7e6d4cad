// Reconciliation's I/O: the use cases of services/reconciliation.ts run as activities, with the
// programme's loyalty system reached through its adapter, and progress reported as heartbeats.
import { heartbeat } from '@temporalio/activity';
import { transactionsPageSizeMax } from '../adapters/loyalty-adapter.ts';
import type { AdapterResolver } from '../adapters/resolver.ts';
import type { ServiceContext } from '../services/context.ts';
import { markRunFailed, reconcileRun } from '../services/reconciliation.ts';

export interface ReconciliationActivityDependencies {
  context: ServiceContext;
  adapters: AdapterResolver;
  toleranceMs: number;
}

export function createReconciliationActivities(deps: ReconciliationActivityDependencies) {
  return {
    /** Compares and stores; the counts of what it found. */
    async reconcileRun(runId: string): Promise<{ matched: string; breaks: number }> {
      const run = await deps.context.db
        .selectFrom('reconciliation_runs')
        .select('program_id')
        .where('id', '=', runId)
        .executeTakeFirstOrThrow();
      const adapter = await deps.adapters.forProgram(run.program_id);
      const result = await reconcileRun(deps.context, {
        runId,
        toleranceMs: deps.toleranceMs,
        transactions: (period) => adapter.transactions(period),
        pageSize: transactionsPageSizeMax,
        progress: (itemsRead) => heartbeat({ itemsRead }),
        now: new Date(),
      });
      const breaks = Object.values(result.breakCounts).reduce((sum, count) => sum + (count ?? 0), 0);
      return { matched: String(result.matchedCount), breaks };
    },

    failReconciliationRun: (runId: string, detail: string): Promise<void> =>
      markRunFailed(deps.context, runId, detail),
  };
}

export type ReconciliationActivities = ReturnType<typeof createReconciliationActivities>;
