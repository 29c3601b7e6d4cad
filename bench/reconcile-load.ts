// Reconciling a million gateway operations against the partner's list of the same size, beside a
// plain full outer join of the two on their keys, in a database of its own (made, migrated and
// dropped by bench/lib/reconcile-bench.ts). Prints one line per phase on stderr and the figures as
// JSON on stdout:
// node bench/reconcile-load.ts URL [transfers] [rounds] [join runs per round]
//
// Each round starts the period's first run: the runs, staged items and breaks of the round before
// are cleared (and vacuumed away), a new run is written and the partner's list staged for it, then
// analysed (fresh rows, not yet vacuumed: as a run finds them right after staging), all untimed. Then the join a few times (its median is
// the round's baseline), then matchRun as the product runs it: the match, the ~5,000 breaks stored,
// the staged items dropped and the run completed, in one transaction. After the rounds, EXPLAIN
// ANALYZE of the join and of the match's statements on a run staged again.
import { sql } from 'kysely';
import pg from 'pg';
import { type BreakKind, readWindow } from '../domain/reconciliation.ts';
import { createDatabase } from '../store/connection.ts';
import { migrateToLatest } from '../store/migrator.ts';
import { matchRun, matchSettings } from '../store/reconciliation.ts';
import { gatewayOperations } from '../store/reconciliation-gateway-operations.ts';
import { findRun } from '../store/reconciliation-runs.ts';
import { progressOf } from './lib/progress.ts';
import {
  clearRuns,
  defaultReconcileShape,
  loadReconcileData,
  type ReconcileDataShape,
  stageBenchRun,
} from './lib/reconcile-data.ts';
import { median } from './lib/settlement-data.ts';
import {
  installQueryRecorder,
  recordedQueries,
  recordQueriesAs,
  type StatementTiming,
} from './lib/settlement-queries.ts';

const [url = '', transfersText, roundsText = '5', joinRunsText = '3'] = process.argv.slice(2);
const shape: ReconcileDataShape = {
  ...defaultReconcileShape,
  transfers: Number(transfersText ?? defaultReconcileShape.transfers),
};
const rounds = Number(roundsText);
const joinRuns = Number(joinRunsText);
const toleranceMs = 300_000;

const progress = progressOf('reconcile');
const round1 = (ms: number) => Math.round(ms * 10) / 10;
async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const begin = performance.now();
  const value = await work();
  return { value, ms: performance.now() - begin };
}

installQueryRecorder();
// The product's own connection settings (named prepared statements, the 15 s statement timeout).
const db = createDatabase({ url, poolSizeMax: 2 });
const admin = new pg.Client({ connectionString: url });
await admin.connect();

progress('migrating');
await migrateToLatest(db);
const periodStart = new Date(Math.floor(Date.now() / 86_400_000 - 2) * 86_400_000);
progress(
  `loading ${shape.transfers.toLocaleString('en-US')} completed transfers (${(shape.transfers * 2).toLocaleString('en-US')} operations at the source programme) on ${periodStart.toISOString().slice(0, 10)}`,
);
const load = await timed(() => loadReconcileData(admin, shape, periodStart, (line) => progress(`  ${line}`)));
const loaded = load.value;
progress(
  `loaded in ${(load.ms / 1000).toFixed(1)} s: ${loaded.operations.toLocaleString('en-US')} operations, ${loaded.listItems.toLocaleString('en-US')} items listed; vacuum (freeze, analyze) and checkpoint`,
);
const vacuum = await timed(async () => {
  for (const table of ['quotes', 'transfers', 'transfer_steps', 'bench_partner_list']) {
    await admin.query(`vacuum (freeze, analyze) ${table}`);
  }
  await admin.query('checkpoint').catch(() => undefined);
});
const sizes = await admin.query<{ table: string; size: string; indexes: string }>(
  `select relname as table, pg_size_pretty(pg_table_size(oid)) as size, pg_size_pretty(pg_indexes_size(oid)) as indexes
   from pg_class where relname in ('transfers', 'transfer_steps', 'reconciliation_partner_pages') order by relname`,
);

const window = readWindow(loaded.period, toleranceMs);
const joinSql = (runId: string) => sql<{ count: string }>`select count(*) as count
  from ${gatewayOperations({ programId: loaded.programId, from: window.from, to: window.to })} g
  full outer join (select item.* from reconciliation_partner_pages page
    cross join lateral unnest(page.keys, page.operations, page.account_refs, page.points, page.statuses,
      page.ats) as item(key, operation, account_ref, points, status, at)
    where page.run_id = ${runId}) p on p.key = g.key`;
let joinRows = 0;
/**
 * The join, timed. The match lifts the requests' 15 s statement timeout for itself; the baseline
 * must too, or a loaded machine ends the round before either has a time. With `settings`, it runs
 * under the match's own planner settings as well (`matchSettings`), beside the plain baseline.
 */
async function join(runId: string, settings: readonly string[] = ["statement_timeout = '10min'"]) {
  const { value, ms } = await timed(() =>
    db.transaction().execute(async (trx) => {
      for (const setting of settings) await sql.raw(`set local ${setting}`).execute(trx);
      return joinSql(runId).execute(trx);
    }),
  );
  joinRows = Number(value.rows[0]?.count);
  return ms;
}

const expectedBreaks = {
  missing_at_partner: loaded.breaksPerKind,
  missing_at_gateway: loaded.breaksPerKind,
  amount_mismatch: loaded.breaksPerKind,
  status_mismatch: loaded.breaksPerKind,
  duplicate_at_partner: loaded.breaksPerKind,
};
const expectedMatched = loaded.operations - 4 * loaded.breaksPerKind;

async function stage(runId: string): Promise<number> {
  const { ms } = await timed(async () => {
    await clearRuns(admin);
    await admin.query('vacuum reconciliation_partner_pages');
    await stageBenchRun(admin, loaded, runId);
    await admin.query('analyze reconciliation_partner_pages');
  });
  return ms;
}

const roundResults = [];
for (let round = 1; round <= rounds; round += 1) {
  const runId = `rec_bench_round_${round}`;
  const stageMs = await stage(runId);
  const joinMs: number[] = [];
  for (let run = 0; run < joinRuns; run += 1) joinMs.push(await join(runId));
  const tunedJoinMs: number[] = [];
  for (let run = 0; run < joinRuns; run += 1) tunedJoinMs.push(await join(runId, matchSettings));
  progress(
    `round ${round}/${rounds}: staged in ${(stageMs / 1000).toFixed(1)} s; join ×${joinRuns}, median ${median(joinMs).toFixed(0)} ms (${joinRows.toLocaleString('en-US')} rows)`,
  );
  const run = await findRun(db, runId);
  if (!run) throw new Error(`run ${runId} was not written`);
  recordQueriesAs(`match (round ${round})`);
  const match = await timed(() => matchRun(db, { run, window }));
  recordQueriesAs(null);
  const result = match.value;
  const wrong =
    Object.keys(result.breakCounts).length !== Object.keys(expectedBreaks).length ||
    Object.entries(expectedBreaks).some(([kind, count]) => result.breakCounts[kind as BreakKind] !== count) ||
    result.matchedCount !== BigInt(expectedMatched) ||
    result.partnerItemCount !== BigInt(loaded.listItems);
  if (wrong) {
    throw new Error(
      `round ${round} found ${JSON.stringify(result.breakCounts)}, ${result.matchedCount} matched of ${result.partnerItemCount}; expected ${JSON.stringify(expectedBreaks)}, ${expectedMatched} of ${loaded.listItems}`,
    );
  }
  const baselineMs = median(joinMs);
  const statements = recordedQueries()
    .filter((timing) => timing.phase === `match (round ${round})`)
    .map((timing) => ({ text: timing.text.replace(/\s+/g, ' ').slice(0, 80), ms: round1(timing.totalMs) }));
  progress(
    `round ${round}/${rounds}: matchRun ${match.ms.toFixed(0)} ms, ${(match.ms / baselineMs).toFixed(2)}× the join (${statements
      .filter((statement) => statement.ms >= 5)
      .map((statement) => `${statement.ms.toFixed(0)} ms ${statement.text.slice(0, 30)}`)
      .join('; ')})`,
  );
  roundResults.push({
    round,
    stageMs: round1(stageMs),
    // Objects rather than bare numbers: the runner's JSON then stays as Biome formats it.
    join: joinMs.map((ms, index) => ({ run: index + 1, ms: round1(ms) })),
    joinMedianMs: round1(baselineMs),
    tunedJoin: tunedJoinMs.map((ms, index) => ({ run: index + 1, ms: round1(ms) })),
    matchMs: round1(match.ms),
    ratio: Math.round((match.ms / baselineMs) * 1000) / 1000,
    statements,
  });
}

// EXPLAIN ANALYZE of the join and of the match's slow statements, on a run staged again, each in a
// transaction rolled back; the match's with matchRun's own settings (`matchSettings`).
async function explain(text: string, values: unknown[], settings = ''): Promise<string> {
  await admin.query('begin');
  try {
    if (settings) await admin.query(settings);
    const plan = await admin.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${text}`, values);
    return plan.rows.map((row) => row['QUERY PLAN']).join('\n');
  } catch (error) {
    return `not explained: ${(error as Error).message}`;
  } finally {
    await admin.query('rollback');
  }
}

progress('EXPLAIN ANALYZE of the join and the slow statements of the match');
const lastRunId = `rec_bench_round_${rounds}`;
await stage(lastRunId);
const joinCompiled = joinSql(lastRunId).compile(db);
const plans: { phase: string; text: string; plan: string }[] = [
  {
    phase: 'baseline join',
    text: joinCompiled.sql,
    plan: await explain(joinCompiled.sql, [...joinCompiled.parameters]),
  },
];
const last = `(round ${rounds})`;
const byTotal = (left: StatementTiming, right: StatementTiming) => right.totalMs - left.totalMs;
const slow = recordedQueries()
  .filter((timing) => timing.phase.endsWith(last) && timing.totalMs >= 20)
  .filter((timing) => /^\s*(select|update|insert|delete|with)/i.test(timing.text))
  .sort(byTotal);
for (const timing of slow) {
  plans.push({
    phase: timing.phase,
    text: timing.text,
    plan: await explain(
      timing.text,
      timing.firstValues,
      matchSettings.map((setting) => `set local ${setting}`).join('; '),
    ),
  });
}
for (const { phase, plan } of plans) progress(`plan: ${phase}\n${plan}\n`);

const joinMedianMs = median(roundResults.flatMap((result) => result.join.map((run) => run.ms)));
const tunedJoinMedianMs = median(roundResults.flatMap((result) => result.tunedJoin.map((run) => run.ms)));
const matchMedianMs = median(roundResults.map((result) => result.matchMs));
const figures = {
  shape: {
    transfers: shape.transfers,
    operations: loaded.operations,
    listItems: loaded.listItems,
    breaksPerKind: loaded.breaksPerKind,
    toleranceMs,
  },
  load: { ms: round1(load.ms), vacuumMs: round1(vacuum.ms), sizes: sizes.rows },
  joinRows,
  rounds: roundResults,
  joinMedianMs: round1(joinMedianMs),
  tunedJoinMedianMs: round1(tunedJoinMedianMs),
  matchMedianMs: round1(matchMedianMs),
  ratio: Math.round((matchMedianMs / joinMedianMs) * 1000) / 1000,
  plans,
};
progress(
  `matchRun ${matchMedianMs.toFixed(0)} ms, join ${joinMedianMs.toFixed(0)} ms (medians): ${figures.ratio.toFixed(2)}×`,
);
await admin.end();
await db.destroy();
process.stdout.write(`${JSON.stringify(figures)}\n`);
