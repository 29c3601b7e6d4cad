// Reconciliation's I/O: the use cases of services/reconciliation.ts run as activities, with the
// programme's loyalty system reached through its adapter, and progress reported as heartbeats.
import { heartbeat } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { transactionsPageSizeMax } from '../adapters/loyalty-adapter.ts';
import type { AdapterResolver } from '../adapters/resolver.ts';
import type { ServiceContext } from '../services/context.ts';
import { ensureScheduledRun, markRunFailed, reconcileRun } from '../services/reconciliation.ts';
import { listReconciledPrograms } from '../store/reconciliation-runs.ts';
import { previousLocalDay } from './local-days.ts';
import { startReconciliationRun } from './reconciliation-client.ts';

export interface ReconciliationActivityDependencies {
  context: ServiceContext;
  adapters: AdapterResolver;
  client: Client;
  taskQueue: string;
  toleranceMs: number;
  timeZone: string;
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

    /** Creates (or finds) and starts the run of the day before the scheduled time, per programme. */
    async startDailyRuns(scheduledAt: string): Promise<string[]> {
      const period = previousLocalDay(new Date(scheduledAt), deps.timeZone);
      const started: string[] = [];
      for (const programId of await listReconciledPrograms(deps.context.db)) {
        const runId = await ensureScheduledRun(deps.context, { programId, period });
        await startReconciliationRun(
          { client: deps.client, taskQueue: deps.taskQueue, replyWaitMs: 0 },
          runId,
        );
        started.push(runId);
        heartbeat(started.length);
      }
      return started;
    },
  };
}

export type ReconciliationActivities = ReturnType<typeof createReconciliationActivities>;
