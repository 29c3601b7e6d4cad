// The daily reconciliation's I/O: create (or find) the run of the day before for every programme, and
// start each run's workflow.
import { heartbeat } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { ServiceContext } from '../services/context.ts';
import { ensureScheduledRun } from '../services/reconciliation.ts';
import { listReconciledPrograms, reopenFailedScheduledRuns } from '../store/reconciliation-runs.ts';
import { previousLocalDay } from './local-days.ts';
import { startReconciliationRun, startStrandedReconciliationRun } from './reconciliation-client.ts';

/** How far back a failed day is tried again by each day's run: a partner down for a week is an incident. */
const failedRunsRetriedDays = 7;

export interface DailyReconciliationDependencies {
  context: ServiceContext;
  client: Client;
  taskQueue: string;
  timeZone: string;
}

export function createDailyReconciliationActivities(deps: DailyReconciliationDependencies) {
  return {
    /**
     * Creates (or finds) and starts the run of the day before the scheduled time, per programme, and
     * runs again those of the week before that failed (their partner was down at every attempt).
     */
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
      const since = new Date(period.from.getTime() - failedRunsRetriedDays * 86_400_000);
      for (const runId of await reopenFailedScheduledRuns(deps.context.db, since)) {
        await startStrandedReconciliationRun({ client: deps.client, taskQueue: deps.taskQueue }, runId);
        started.push(runId);
        heartbeat(started.length);
      }
      return started;
    },
  };
}

export type DailyReconciliationActivities = ReturnType<typeof createDailyReconciliationActivities>;
