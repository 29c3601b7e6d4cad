// `npm run bench:reconcile`: a database of its own on DATABASE_URL's server (or an embedded one),
// the reconciliation measured by bench/reconcile-load.ts in a process of its own, and its figure as
// a result beside the plain full outer join of the same run. Times, so a ratio below 1 is faster
// than the baseline; the goal (issue #11) is matchRun within 1.5 times the join.
import path from 'node:path';
import { ensurePostgres } from '../../runtime/local-services.ts';
import type { Logger } from '../../runtime/logger.ts';
import { projectDir } from '../../runtime/project-dir.ts';
import { dropDatabase, ensureDatabase, withDatabase } from '../../store/database-url.ts';
import { runJson } from './processes.ts';
import { defaultReconcileShape } from './reconcile-data.ts';
import type { BenchResult } from './report.ts';

interface ReconcileFigures {
  shape: { transfers: number; operations: number; listItems: number; breaksPerKind: number };
  rounds: { join: unknown[] }[];
  joinMedianMs: number;
  tunedJoinMedianMs: number;
  matchMedianMs: number;
  ratio: number;
  [more: string]: unknown;
}

export async function benchReconcile(
  logger: Logger,
): Promise<{ results: BenchResult[]; details: ReconcileFigures }> {
  const postgres = await ensurePostgres({
    databaseUrl: process.env.DATABASE_URL,
    dataDir: path.join(projectDir, '.data', 'bench'),
    embeddedPort: 54359,
    logger,
  });
  const databaseUrl = withDatabase(postgres.address, `alliance_bench_reconcile_${Date.now()}`);
  await ensureDatabase(databaseUrl);
  let figures: ReconcileFigures;
  try {
    figures = await runJson<ReconcileFigures>('bench/reconcile-load.ts', [
      databaseUrl,
      process.env.BENCH_RECONCILE_TRANSFERS ?? String(defaultReconcileShape.transfers),
      process.env.BENCH_RECONCILE_ROUNDS ?? '5',
      process.env.BENCH_RECONCILE_JOIN_RUNS ?? '3',
    ]);
  } finally {
    await dropDatabase(databaseUrl).catch(() => undefined);
    await postgres.stop();
  }
  const { operations, listItems, breaksPerKind } = figures.shape;
  const runs = figures.rounds.reduce((sum, round) => sum + round.join.length, 0);
  const count = (value: number) => value.toLocaleString('en-US');
  return {
    results: [
      {
        name: 'reconcile',
        value: figures.matchMedianMs,
        unit: `ms (matchRun: ${count(operations)} gateway operations against ${count(listItems)} partner items, ${count(breaksPerKind * 5)} breaks stored, run completed; median of ${figures.rounds.length} rounds)`,
        baseline: `plain SQL full outer join (count) of the gateway's operations and the run's staged items on their keys, same rows, median of ${runs} runs in ${figures.rounds.length} rounds`,
        baselineValue: figures.joinMedianMs,
      },
      {
        // The same join under the match's own planner settings (no JIT, its work memory, no merge
        // joins): what the match costs beyond the join, with the tuning taken out of the ratio.
        name: 'reconcile_vs_tuned_join',
        value: figures.matchMedianMs,
        unit: 'ms (matchRun, as above)',
        baseline: `the same join under matchRun's settings (store/reconciliation.ts matchSettings), median of ${runs} runs in ${figures.rounds.length} rounds`,
        baselineValue: figures.tunedJoinMedianMs,
      },
    ],
    details: figures,
  };
}
