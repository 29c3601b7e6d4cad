// `npm run bench [transfers|quotes|ledger|scale|settlement|reconcile|flash-sale]`: measures the gateway against baselines run in
// the same session, on the same machine and servers, and writes bench/results/latest.json and
// docs/performance.md. Every figure stands beside its baseline and their ratio (higher is better,
// except for memory and the settlement close's and reconciliation's times).
import { createLogger } from '../runtime/logger.ts';
import { dropDatabase, ensureDatabase, withDatabase } from '../store/database-url.ts';
import { audience, type BenchAlliance, startBenchAlliance } from './lib/alliance.ts';
import type { CpuPerRequest } from './lib/cpu-usage.ts';
import { benchFlashSale } from './lib/flash-sale-bench.ts';
import { runJson } from './lib/processes.ts';
import { progressOf } from './lib/progress.ts';
import { benchQuotes } from './lib/quotes-bench.ts';
import { benchReconcile } from './lib/reconcile-bench.ts';
import { type BenchResult, writeReport } from './lib/report.ts';
import { benchScale } from './lib/scale-bench.ts';
import { benchSettlement } from './lib/settlement-bench.ts';
import type { LoadResult } from './lib/stats.ts';
import { benchTransfers } from './lib/transfers-bench.ts';

const only = process.argv[2] ?? 'all';
const logger = createLogger(process.env.LOG_LEVEL ?? 'warn', 'bench');
const results: BenchResult[] = [];
const details: Record<string, unknown> = {};
const progress = progressOf('bench');

async function benchLedger(alliance: BenchAlliance): Promise<void> {
  const concurrency = 8;
  // pgbench runs inside the ledger's load, between its rounds of debits (bench/lib/pgbench.ts), in a
  // database of its own that is dropped once measured.
  const pgbenchUrl = withDatabase(alliance.databaseUrl, `alliance_pgbench_${Date.now()}`);
  await ensureDatabase(pgbenchUrl);
  const {
    opening,
    credits: ledger,
    lotSeeding,
    debits,
    debitFloor,
    pgbench,
  } = await runJson<{
    opening: LoadResult;
    credits: LoadResult;
    lotSeeding: LoadResult;
    debits: LoadResult & { lotsPerAccount: number };
    debitFloor: LoadResult;
    pgbench: { tps: number; runs: number[]; cpu: CpuPerRequest };
  }>('bench/ledger-load.ts', [
    alliance.databaseUrl,
    alliance.partners.h1.programId,
    '1000',
    '20000',
    String(concurrency),
    pgbenchUrl,
  ]).finally(() => dropDatabase(pgbenchUrl));
  const { tps } = pgbench;
  // Hosted-to-hosted transfers as the route makes them (bench/hosted-transfer-load.ts): no workflow.
  const { h1, h2 } = alliance.partners;
  const direct = await runJson<LoadResult & { workflowsAsked: number }>('bench/hosted-transfer-load.ts', [
    alliance.databaseUrl,
    h1.id,
    h1.programId,
    h2.programId,
    alliance.memberIds.join(','),
    '10000',
    String(concurrency),
  ]);
  // The least such a transfer must write, in one statement (bench/hosted-transfer-floor.ts).
  const floor = await runJson<LoadResult>('bench/hosted-transfer-floor.ts', [
    alliance.databaseUrl,
    h1.id,
    h1.programId,
    h2.id,
    h2.programId,
    alliance.memberIds.join(','),
    '10000',
    String(concurrency),
  ]);
  details.hosted_ledger = {
    openingCredits: opening,
    ledger,
    lotSeeding,
    debitsAcrossLots: debits,
    debitFloor,
    pgbenchSimpleUpdateTps: tps,
    // Objects rather than bare numbers: the runner's JSON then stays as Biome formats it.
    pgbenchRuns: pgbench.runs.map((runTps, index) => ({ run: index + 1, tps: runTps })),
    pgbenchCpu: pgbench.cpu,
    transfersHostedDirect: direct,
    transfersHostedDirectFloor: floor,
  };
  results.push({
    name: 'transfers_hosted_direct',
    value: direct.perSecond,
    unit: 'transfers/s (hosted to hosted, key claim + one transaction + reply, no workflow)',
    baseline: `pgbench simple-update (-N), same PostgreSQL, ${concurrency} clients, median of three 10 s runs, each before a round of debits`,
    baselineValue: tps,
    concurrency,
    p50Ms: direct.p50Ms,
    p99Ms: direct.p99Ms,
  });
  results.push({
    name: 'transfers_hosted_direct_floor',
    value: floor.perSecond,
    unit: 'transfers/s (the least a hosted-to-hosted transfer keeps, one statement, raw pg: the floor under the row above)',
    baseline: `pgbench simple-update (-N), same PostgreSQL, ${concurrency} clients, median of three 10 s runs, each before a round of debits`,
    baselineValue: tps,
    concurrency,
    p50Ms: floor.p50Ms,
    p99Ms: floor.p99Ms,
  });
  results.push({
    name: 'hosted_ledger',
    value: ledger.perSecond,
    unit: 'credits/s',
    baseline: `pgbench simple-update (-N), same PostgreSQL, ${concurrency} clients, median of three 10 s runs, each before a round of debits`,
    baselineValue: tps,
    concurrency,
    p50Ms: ledger.p50Ms,
    p99Ms: ledger.p99Ms,
  });
  results.push({
    name: 'hosted_ledger_first_credits',
    value: opening.perSecond,
    unit: 'credits/s (each opening its account)',
    baseline: `pgbench simple-update (-N), same PostgreSQL, ${concurrency} clients, median of three 10 s runs, each before a round of debits`,
    baselineValue: tps,
    concurrency,
    p50Ms: opening.p50Ms,
    p99Ms: opening.p99Ms,
  });
  results.push({
    name: 'hosted_ledger_debits_across_lots',
    value: debits.perSecond,
    unit: `debits/s (reserve + post, ${debits.lotsPerAccount} lots per account, soonest burnt first; the median of three rounds, each right after a pgbench run)`,
    baseline: `pgbench simple-update (-N), same PostgreSQL, ${concurrency} clients, median of three 10 s runs, each before a round of debits`,
    baselineValue: tps,
    concurrency,
    p50Ms: debits.p50Ms,
    p99Ms: debits.p99Ms,
  });
  results.push({
    name: 'hosted_ledger_debit_floor',
    value: debitFloor.perSecond,
    unit: `debits/s (the least a debit across lots writes: counters, the lot burnt, a posted transfer and its two entries; one statement, raw pg: the floor under the row above)`,
    baseline: `pgbench simple-update (-N), same PostgreSQL, ${concurrency} clients, median of three 10 s runs, each before a round of debits`,
    baselineValue: tps,
    concurrency,
    p50Ms: debitFloor.p50Ms,
    p99Ms: debitFloor.p99Ms,
  });
}

/** The last bare process measured for each service, as the baseline of its memory figure. */
const memoryBaselines: Partial<Record<'gateway' | 'worker', { label: string; bytes: number }>> = {};
const mebibytes = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

function recordMemory(alliance: BenchAlliance, after: string): void {
  for (const service of [alliance.gateway, alliance.worker]) {
    const baseline = memoryBaselines[service.name as 'gateway' | 'worker'];
    results.push({
      name: `memory_${service.name}_after_${after}`,
      value: mebibytes(service.residentBytes()),
      unit: 'MiB resident',
      baseline: baseline?.label ?? null,
      baselineValue: baseline ? mebibytes(baseline.bytes) : null,
    });
  }
}

if (only !== 'settlement' && only !== 'reconcile' && only !== 'flash-sale') {
  progress('starting the alliance: PostgreSQL database, Temporal, gateway, worker, partner systems');
  const alliance = await startBenchAlliance(logger, { members: 200 });
  try {
    if (only === 'all' || only === 'transfers') {
      for (const [name, from, to] of [
        ['transfers_http', alliance.partners.a, alliance.partners.b],
        ['transfers_hosted', alliance.partners.h1, alliance.partners.h2],
      ] as const) {
        progress(`${name}: transfers against bare workflows, concurrency 1 up to the peak`);
        const transfers = await benchTransfers(alliance, name, from, to, logger, {
          latency: name === 'transfers_http',
        });
        results.push(...transfers.results);
        details[name] = transfers.details;
        memoryBaselines.worker = {
          label: 'bare worker (same SDK and V8 flags, no-op activities) after its runs',
          bytes: transfers.bareWorkerBytes,
        };
        recordMemory(alliance, name);
      }
    }
    if (only === 'all' || only === 'quotes') {
      progress('quotes: the bare routes, then the gateway');
      const quotes = await benchQuotes(alliance, audience);
      results.push(...quotes.results);
      details.quotes_signed = quotes.details;
      memoryBaselines.gateway = {
        label: 'the bare Hono process (all four baseline routes) after its runs',
        bytes: quotes.bareBytes,
      };
      recordMemory(alliance, 'quotes');
      // The floor under the gateway's figure: the bare process holding a Temporal client, as the gateway does.
      results.push({
        name: 'memory_gateway_floor_with_temporal_client',
        value: mebibytes(quotes.bareWithTemporalClientBytes),
        unit: 'MiB resident (the bare Hono process with a Temporal client connected, after the same runs)',
        baseline: 'the bare Hono process (all four baseline routes) after its runs',
        baselineValue: mebibytes(quotes.bareBytes),
      });
    }
    if (only === 'all' || only === 'ledger') {
      progress('ledger: credits, debits in rounds beside pgbench, hosted-to-hosted transfers');
      await benchLedger(alliance);
    }
    if (only === 'all' || only === 'scale') {
      progress('scale: one gateway and worker against two of each');
      const scale = await benchScale(alliance, logger);
      results.push(...scale.results);
      details.scale = scale.details;
    }
  } finally {
    await alliance.stop();
  }
}
// The settlement close needs PostgreSQL alone (a database of its own), so it runs once the alliance is gone.
if (only === 'all' || only === 'settlement') {
  progress('settlement: the close of a cycle');
  const settlement = await benchSettlement(logger);
  results.push(...settlement.results);
  details.settlement = settlement.details;
}
// Reconciliation, too, needs PostgreSQL alone.
if (only === 'all' || only === 'reconcile') {
  progress('reconcile: a day of partner reports');
  const reconcile = await benchReconcile(logger);
  results.push(...reconcile.results);
  details.reconcile = reconcile.details;
}
// The flash sale, too: the order decision against PostgreSQL, in a database of its own.
if (only === 'all' || only === 'flash-sale') {
  progress('flash-sale: orders on one stock');
  const flashSale = await benchFlashSale(logger);
  results.push(...flashSale.results);
  details.flash_sale = flashSale.details;
}
writeReport({ results, details, command: `npm run bench${only === 'all' ? '' : `:${only}`}` });
progress('written: bench/results/latest.json and docs/performance.md');
