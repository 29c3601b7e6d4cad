// The settlement close over a million obligations, beside a plain GROUP BY over the same rows, in a
// database of its own (made, migrated and dropped by bench/lib/settlement-bench.ts). Prints one
// line per phase on stderr and the figures as JSON on stdout:
// node bench/settlement-load.ts URL [obligations] [rounds] [GROUP BY runs per round] [statements at a time]
//
// Each round: the GROUP BY a few times (its median is the round's baseline), then the close as the
// product runs it (sealCycle, netCycle: netCycle issues and stores the 50 partners' statements), then
// the 50 statements downloaded and signed one after another, as a partner gets them. A close seals
// the cycle, so between rounds the cycle is reopened (reopenCycle): the obligations stay exactly as
// loaded, only the close's own rows go. After the rounds, the 50 statements' lines downloaded once
// (every obligation of each partner, signed: what a partner fetches when it wants the detail, not
// part of the close), and EXPLAIN ANALYZE of the slow statements.

import { sql } from 'kysely';
import pg from 'pg';
import { createServiceContext, type ServiceContext } from '../services/context.ts';
import { netCycle, sealCycle } from '../services/settlement.ts';
import {
  type DocumentSigner,
  signedStatement,
  signedStatementLines,
} from '../services/settlement-statements.ts';
import { signDocument } from '../signing/documents.ts';
import { generateSigningKeyPair } from '../signing/keys.ts';
import { createDatabase } from '../store/connection.ts';
import { migrateToLatest } from '../store/migrator.ts';
import { progressOf } from './lib/progress.ts';
import {
  defaultSettlementShape,
  loadSettlementData,
  median,
  reopenCycle,
  type SettlementDataShape,
} from './lib/settlement-data.ts';
import {
  installQueryRecorder,
  recordedQueries,
  recordQueriesAs,
  type StatementTiming,
} from './lib/settlement-queries.ts';

const [url = '', obligationsText, roundsText = '3', groupByRunsText = '5', concurrencyText = '1'] =
  process.argv.slice(2);
const shape: SettlementDataShape = {
  ...defaultSettlementShape,
  obligations: Number(obligationsText ?? defaultSettlementShape.obligations),
};
const rounds = Number(roundsText);
const groupByRuns = Number(groupByRunsText);
const statementConcurrency = Number(concurrencyText);

const progress = progressOf('settlement');
const round1 = (ms: number) => Math.round(ms * 10) / 10;
async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const begin = performance.now();
  const value = await work();
  return { value, ms: performance.now() - begin };
}

installQueryRecorder();
// The product's own connection settings (named prepared statements, the 15 s statement timeout).
const db = createDatabase({ url, poolSizeMax: 4 });
const context = createServiceContext(db);
const admin = new pg.Client({ connectionString: url });
await admin.connect();

progress('migrating');
await migrateToLatest(db);
progress(`loading ${shape.obligations.toLocaleString('en-US')} obligations among ${shape.partners} partners`);
const load = await timed(() => loadSettlementData(admin, shape, new Date(Date.now() - 86_400_000)));
const { cycleId, partnerIds } = load.value;
progress(`loaded in ${(load.ms / 1000).toFixed(1)} s; vacuum (freeze, analyze) and checkpoint`);
const vacuum = await timed(async () => {
  await admin.query('vacuum (freeze, analyze) settlement_obligations');
  await admin.query('checkpoint').catch(() => undefined);
});
const counts = await admin.query<{ currency: string; obligations: string; fees: string; pairs: string }>(
  `select currency, count(*) as obligations, count(*) filter (where creditor_partner_id is null) as fees,
          count(distinct (debtor_partner_id, creditor_partner_id)) as pairs
   from settlement_obligations group by currency order by currency`,
);
const tableSize = await admin.query<{ table: string; indexes: string }>(
  `select pg_size_pretty(pg_table_size('settlement_obligations')) as table,
          pg_size_pretty(pg_indexes_size('settlement_obligations')) as indexes`,
);

const groupBySql = sql<{ currency: string }>`select currency, debtor_partner_id, creditor_partner_id,
    sum(amount_minor)::int8 as amount_minor, count(*)::int8 as obligation_count
  from settlement_obligations
  where cycle_id = ${cycleId}
  group by currency, debtor_partner_id, creditor_partner_id`;
const groupByText = groupBySql.compile(db).sql;
let groupByRows = 0;
async function groupBy(): Promise<number> {
  const { value, ms } = await timed(() => groupBySql.execute(db));
  groupByRows = value.rows.length;
  return ms;
}

const gatewayKey = await generateSigningKeyPair('ES256');
const sign = (document: unknown) => signDocument(gatewayKey, document);

async function statements(
  closedCycleId: string,
  download: (
    context: ServiceContext,
    input: { cycleId: string; partnerId: string; sign: DocumentSigner },
  ) => Promise<unknown>,
): Promise<{ ms: number; perPartnerMs: number[] }> {
  const perPartnerMs: number[] = [];
  let next = 0;
  const lane = async () => {
    while (next < partnerIds.length) {
      const partnerId = partnerIds[next++] as string;
      const { ms } = await timed(() => download(context, { cycleId: closedCycleId, partnerId, sign }));
      perPartnerMs.push(ms);
    }
  };
  const { ms } = await timed(() => Promise.all(Array.from({ length: statementConcurrency }, lane)));
  return { ms, perPartnerMs };
}

progress(`warming up: the GROUP BY once (${groupByText.replace(/\s+/g, ' ').slice(0, 60)}…)`);
const warmUpMs = await groupBy();
const roundResults = [];
for (let round = 1; round <= rounds; round += 1) {
  if (round > 1) await reopenCycle(admin, cycleId);
  const groupByMs: number[] = [];
  for (let run = 0; run < groupByRuns; run += 1) groupByMs.push(await groupBy());
  progress(
    `round ${round}/${rounds}: GROUP BY ×${groupByRuns}, median ${median(groupByMs).toFixed(0)} ms (${groupByRows} groups)`,
  );
  const now = new Date();
  recordQueriesAs(`seal (round ${round})`);
  const seal = await timed(() =>
    sealCycle(context, { periodLabel: `bench-${round}-${now.toISOString()}`, now }),
  );
  if (seal.value.id !== cycleId) throw new Error(`the seal closed ${seal.value.id}, not ${cycleId}`);
  recordQueriesAs(`net (round ${round})`);
  const net = await timed(() => netCycle(context, { cycleId, sign }));
  recordQueriesAs(null);
  progress(
    `round ${round}/${rounds}: seal ${seal.ms.toFixed(0)} ms, net ${net.ms.toFixed(0)} ms; ${partnerIds.length} statements…`,
  );
  recordQueriesAs(`statements (round ${round})`);
  const built = await statements(cycleId, signedStatement);
  recordQueriesAs(null);
  const closeMs = seal.ms + net.ms;
  const baselineMs = median(groupByMs);
  progress(
    `round ${round}/${rounds}: statements ${built.ms.toFixed(0)} ms (slowest ${Math.max(...built.perPartnerMs).toFixed(0)} ms); close ${(closeMs / baselineMs).toFixed(2)}× the GROUP BY, with statements ${((closeMs + built.ms) / baselineMs).toFixed(2)}×`,
  );
  roundResults.push({
    round,
    // Objects rather than bare numbers: the runner's JSON then stays as Biome formats it.
    groupBy: groupByMs.map((ms, index) => ({ run: index + 1, ms: round1(ms) })),
    groupByMedianMs: round1(baselineMs),
    sealMs: round1(seal.ms),
    netMs: round1(net.ms),
    closeMs: round1(closeMs),
    statementsMs: round1(built.ms),
    statementMedianMs: round1(median(built.perPartnerMs)),
    statementMaxMs: round1(Math.max(...built.perPartnerMs)),
    closeRatio: Math.round((closeMs / baselineMs) * 1000) / 1000,
    closeWithStatementsRatio: Math.round(((closeMs + built.ms) / baselineMs) * 1000) / 1000,
  });
}

// The lines, once: each partner's every obligation, read, shaped and signed as one document.
progress(`the ${partnerIds.length} statements' lines, downloaded once`);
recordQueriesAs('lines');
let lineCount = 0;
const linesRun = await statements(cycleId, async (serviceContext, input) => {
  const signed = await signedStatementLines(serviceContext, input);
  lineCount += signed.statementLines.lines.length;
});
recordQueriesAs(null);
const linesQueriesMs = recordedQueries()
  .filter((timing) => timing.phase === 'lines')
  .reduce((sum, timing) => sum + timing.totalMs, 0);

// EXPLAIN ANALYZE of the last round's statements that took time, each in a transaction rolled back
// (the seal's update among them, on the cycle reopened for it); a plan that fails says why instead.
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  return admin.escapeLiteral(value instanceof Date ? value.toISOString() : String(value));
}

async function explain(text: string, values: unknown[], genericPlan: boolean): Promise<string> {
  await admin.query('begin');
  try {
    let plan: pg.QueryResult<{ 'QUERY PLAN': string }>;
    if (genericPlan) {
      // The plan a named prepared statement settles on after five runs, when it costs no more.
      await admin.query('set local plan_cache_mode = force_generic_plan');
      await admin.query(`prepare bench_generic as ${text}`);
      plan = await admin.query(
        `explain (analyze, buffers) execute bench_generic(${values.map(literal).join(', ')})`,
      );
      await admin.query('deallocate bench_generic');
    } else {
      plan = await admin.query(`explain (analyze, buffers) ${text}`, values);
    }
    return plan.rows.map((row) => row['QUERY PLAN']).join('\n');
  } catch (error) {
    return `not explained: ${(error as Error).message}`;
  } finally {
    await admin.query('rollback');
  }
}

progress('EXPLAIN ANALYZE of the slow statements');
await reopenCycle(admin, cycleId);
const byTotal = (left: StatementTiming, right: StatementTiming) => right.totalMs - left.totalMs;
const last = `(round ${rounds})`;
const slow = recordedQueries()
  .filter((timing) => timing.phase.endsWith(last) && timing.totalMs >= 20)
  .filter((timing) => /^\s*(select|update|insert|with)/i.test(timing.text))
  .sort(byTotal);
const plans: { phase: string; text: string; plan: string }[] = [
  { phase: 'baseline GROUP BY', text: groupByText, plan: await explain(groupByText, [cycleId], false) },
];
for (const timing of slow) {
  plans.push({
    phase: timing.phase,
    text: timing.text,
    plan: await explain(timing.text, timing.firstValues, false),
  });
}
const statementQuery = recordedQueries()
  .filter((timing) => timing.phase === 'lines')
  .sort(byTotal)[0];
if (statementQuery) {
  plans.push({
    phase: 'lines: the slowest query, generic plan',
    text: statementQuery.text,
    plan: await explain(statementQuery.text, statementQuery.firstValues, true),
  });
}
for (const { phase, plan } of plans) progress(`plan: ${phase}\n${plan}\n`);

const all = roundResults;
const pick = (key: 'sealMs' | 'netMs' | 'closeMs' | 'statementsMs') =>
  median(all.map((result) => result[key]));
const groupByMedianMs = median(all.flatMap((result) => result.groupBy.map((run) => run.ms)));
const closeMs = pick('closeMs');
const statementsMs = pick('statementsMs');
const closeWithStatementsMs = median(all.map((result) => result.closeMs + result.statementsMs));
const output = {
  shape: { ...shape, currencies: shape.currencies.join(', ') },
  counts: counts.rows,
  size: tableSize.rows[0],
  loadMs: round1(load.ms),
  vacuumMs: round1(vacuum.ms),
  method:
    'one dataset, loaded once; each round reopens the sealed cycle (the close writes no obligation), runs the GROUP BY, then seal, net and the statements',
  groupBySql: groupByText,
  groupByRows,
  warmUpGroupByMs: round1(warmUpMs),
  statementConcurrency,
  rounds: all,
  groupByMedianMs: round1(groupByMedianMs),
  sealMedianMs: round1(pick('sealMs')),
  netMedianMs: round1(pick('netMs')),
  closeMedianMs: round1(closeMs),
  statementsMedianMs: round1(statementsMs),
  closeWithStatementsMedianMs: round1(closeWithStatementsMs),
  statementLines: {
    statements: partnerIds.length,
    lines: lineCount,
    ms: round1(linesRun.ms),
    medianMs: round1(median(linesRun.perPartnerMs)),
    maxMs: round1(Math.max(...linesRun.perPartnerMs)),
    queriesMs: round1(linesQueriesMs),
  },
  // Every round's statements by phase, slowest first within each.
  queries: recordedQueries()
    .sort((left, right) => left.phase.localeCompare(right.phase) || byTotal(left, right))
    .map(({ phase, text, calls, totalMs, maxMs, rows }) => ({
      phase,
      text: text.replace(/\s+/g, ' '),
      calls,
      totalMs: round1(totalMs),
      maxMs: round1(maxMs),
      rows,
    })),
  plans,
};
await admin.end();
await db.destroy();
progress('done');
process.stdout.write(JSON.stringify(output));
