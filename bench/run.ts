// `npm run bench [transfers|quotes|ledger|settlement|reconcile|flash-sale]`: measures the gateway against baselines run in
// the same session, on the same machine and servers, and writes bench/results/latest.json and
// docs/performance.md. Every figure stands beside its baseline and their ratio (higher is better,
// except for memory and the settlement close's and reconciliation's times).
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../runtime/logger.ts';
import { signRequest } from '../signing/request-token.ts';
import { ensureDatabase, withDatabase } from '../store/database-url.ts';
import { audience, type BenchAlliance, type BenchPartner, startBenchAlliance } from './lib/alliance.ts';
import { benchFlashSale } from './lib/flash-sale-bench.ts';
import { freePort, runJson, startService } from './lib/processes.ts';
import { benchReconcile } from './lib/reconcile-bench.ts';
import { type BenchResult, writeReport } from './lib/report.ts';
import { benchSettlement } from './lib/settlement-bench.ts';
import { type LoadResult, pooled } from './lib/stats.ts';

const only = process.argv[2] ?? 'all';
const logger = createLogger(process.env.LOG_LEVEL ?? 'warn', 'bench');
const workDir = mkdtempSync(path.join(tmpdir(), 'alliance-bench-'));
const results: BenchResult[] = [];
const details: Record<string, unknown> = {};

interface Prepared {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | null;
}

async function signedPost(
  partner: BenchPartner,
  requestPath: string,
  body: unknown,
  signedPath = requestPath,
): Promise<Prepared> {
  const text = JSON.stringify(body);
  const token = await signRequest({
    privateJwk: partner.key.privateJwk,
    kid: partner.key.kid,
    alg: partner.key.alg,
    issuer: partner.id,
    audience,
    method: 'POST',
    path: signedPath,
    body: text,
    lifetimeSeconds: 300,
  });
  return {
    method: 'POST',
    path: requestPath,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'idempotency-key': randomUUID(),
    },
    body: text,
  };
}

async function httpLoad(
  baseUrl: string,
  requests: Prepared[],
  connections: number,
  okStatuses: number[],
): Promise<LoadResult> {
  const file = path.join(workDir, `load-${randomUUID()}.json`);
  writeFileSync(file, JSON.stringify({ baseUrl, connections, okStatuses, requests }));
  return runJson<LoadResult>('bench/http-load.ts', [file]);
}

async function benchTransfers(
  alliance: BenchAlliance,
  name: string,
  from: BenchPartner,
  to: BenchPartner,
): Promise<void> {
  const bare = await startService({
    name: 'bare-worker',
    script: 'bench/bare-worker.ts',
    env: { TEMPORAL_ADDRESS: alliance.temporalAddress, TEMPORAL_TASK_QUEUE: `bench-bare-${name}` },
    ready: 'bare worker running',
  });
  const levels: { concurrency: number; transfers: LoadResult; bare: LoadResult; rounds: unknown }[] = [];
  let member = 0;
  const transferRound = async (count: number, concurrency: number) => {
    const requests = await Promise.all(
      Array.from({ length: count }, () =>
        signedPost(from, '/v1/transfers', {
          memberId: alliance.memberIds[member++ % alliance.memberIds.length],
          sourceProgramId: from.programId,
          targetProgramId: to.programId,
          sourcePoints: '10',
        }),
      ),
    );
    return httpLoad(alliance.gatewayUrl, requests, concurrency, [201]);
  };
  const bareRound = (count: number, concurrency: number) =>
    runJson<LoadResult>('bench/temporal-load.ts', [
      alliance.temporalAddress,
      String(count),
      String(concurrency),
      `bench-bare-${name}`,
    ]);
  for (const concurrency of [1, 4, 16, 32, 64]) {
    const count = Math.max(24, concurrency * 8);
    // Transfers, bare, bare, transfers: the shared Temporal server slows as its history grows and the
    // machine's other tenants come and go; alternating the order cancels a steady drift.
    const t1 = await transferRound(count, concurrency);
    const b1 = await bareRound(count, concurrency);
    const b2 = await bareRound(count, concurrency);
    const t2 = await transferRound(count, concurrency);
    const transfers = pooled(t1, t2);
    const baseline = pooled(b1, b2);
    levels.push({ concurrency, transfers, bare: baseline, rounds: { transfers: [t1, t2], bare: [b1, b2] } });
    logger.warn(
      {
        name,
        concurrency,
        transfersPerSecond: transfers.perSecond,
        barePerSecond: baseline.perSecond,
        statuses: transfers.statuses,
      },
      'level',
    );
    const best = Math.max(...levels.slice(0, -1).map((level) => level.transfers.perSecond), 0);
    if (levels.length >= 3 && transfers.perSecond < best * 1.1) break;
  }
  memoryBaselines.worker = {
    label: 'bare worker (same SDK, no-op activities) after its runs',
    bytes: bare.residentBytes(),
  };
  await bare.stop();
  const peak = levels.reduce((best, level) =>
    level.transfers.perSecond > best.transfers.perSecond ? level : best,
  );
  details[name] = levels;
  results.push({
    name,
    value: peak.transfers.perSecond,
    unit: 'transfers/s',
    baseline: `bare Temporal workflow with 4 no-op activities, same server, concurrency ${peak.concurrency}`,
    baselineValue: peak.bare.perSecond,
    concurrency: peak.concurrency,
    p50Ms: peak.transfers.p50Ms,
    p99Ms: peak.transfers.p99Ms,
  });
}

async function benchQuotes(alliance: BenchAlliance): Promise<void> {
  const { a, b } = alliance.partners;
  const count = 3_000;
  const connections = 16;
  const body = (index: number) => ({
    memberId: alliance.memberIds[index % alliance.memberIds.length],
    sourceProgramId: a.programId,
    targetProgramId: b.programId,
    sourcePoints: '100',
  });
  const sample = await a.client.call({ method: 'POST', path: '/v1/quotes', body: body(0) });
  const port = await freePort();
  const bare = await startService({
    name: 'bare-hono',
    script: 'bench/bare-hono.ts',
    env: {
      PORT: String(port),
      QUOTE_JSON: sample.text,
      PARTNER_PUBLIC_JWKS: JSON.stringify({ keys: [a.key.publicJwk] }),
      GATEWAY_AUDIENCE: audience,
      DATABASE_URL: alliance.databaseUrl,
    },
    ready: 'bare hono listening',
  });
  const bareUrl = `http://127.0.0.1:${port}`;
  const plain = Array.from({ length: count }, (_, index) => ({
    method: 'POST',
    path: '/bare/v1/quotes',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body(index)),
  }));
  const bareResult = await httpLoad(bareUrl, plain, connections, [201]);
  const signedOnly = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      signedPost(a, '/signed/v1/quotes', body(index), '/v1/quotes'),
    ),
  );
  const signedResult = await httpLoad(bareUrl, signedOnly, connections, [201]);
  const withStatements = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      signedPost(a, '/statements/v1/quotes', body(index), '/v1/quotes'),
    ),
  );
  const statementsResult = await httpLoad(bareUrl, withStatements, connections, [201]);
  const quotes = await Promise.all(
    Array.from({ length: count }, (_, index) => signedPost(a, '/v1/quotes', body(index))),
  );
  const quoteResult = await httpLoad(alliance.gatewayUrl, quotes, connections, [201]);
  memoryBaselines.gateway = {
    label: 'the bare Hono process (all three baseline routes) after its runs',
    bytes: bare.residentBytes(),
  };
  await bare.stop();
  details.quotes_signed = {
    bare: bareResult,
    signatureOnly: signedResult,
    signatureAndThreeStatements: statementsResult,
    gateway: quoteResult,
  };
  const common = {
    unit: 'quotes/s',
    concurrency: connections,
    p50Ms: quoteResult.p50Ms,
    p99Ms: quoteResult.p99Ms,
  };
  results.push({
    name: 'quotes_signed',
    value: quoteResult.perSecond,
    baseline: 'bare Hono route returning the same JSON',
    baselineValue: bareResult.perSecond,
    ...common,
  });
  results.push({
    name: 'quotes_signed_vs_signature_only',
    value: quoteResult.perSecond,
    baseline: 'the same bare route behind only the signature check',
    baselineValue: signedResult.perSecond,
    ...common,
  });
  results.push({
    name: 'quotes_signed_vs_statement_floor',
    value: quoteResult.perSecond,
    baseline: 'the signed bare route plus the three statements a quote needs (2 writes, 1 read), raw pg',
    baselineValue: statementsResult.perSecond,
    ...common,
  });
}

function pgbenchTps(url: string, clients: number): number {
  execFileSync('pgbench', ['-i', '-s', '10', '-q', url], { stdio: 'ignore' });
  const output = execFileSync('pgbench', ['-N', '-n', '-c', String(clients), '-j', '2', '-T', '10', url], {
    encoding: 'utf8',
  });
  const match = /tps = ([\d.]+)/.exec(output);
  if (!match?.[1]) throw new Error(`pgbench printed no tps:\n${output}`);
  return Number(match[1]);
}

async function benchLedger(alliance: BenchAlliance): Promise<void> {
  const concurrency = 8;
  const {
    opening,
    credits: ledger,
    lotSeeding,
    debits,
  } = await runJson<{
    opening: LoadResult;
    credits: LoadResult;
    lotSeeding: LoadResult;
    debits: LoadResult & { lotsPerAccount: number };
  }>('bench/ledger-load.ts', [
    alliance.databaseUrl,
    alliance.partners.h1.programId,
    '1000',
    '20000',
    String(concurrency),
  ]);
  const pgbenchUrl = withDatabase(alliance.databaseUrl, `alliance_pgbench_${Date.now()}`);
  await ensureDatabase(pgbenchUrl);
  let tps: number;
  try {
    tps = pgbenchTps(pgbenchUrl, concurrency);
  } catch (error) {
    logger.error({ err: error }, 'pgbench could not run; is it on PATH (Debian: postgresql-client)?');
    tps = Number.NaN;
  }
  details.hosted_ledger = {
    openingCredits: opening,
    ledger,
    lotSeeding,
    debitsAcrossLots: debits,
    pgbenchSimpleUpdateTps: tps,
  };
  results.push({
    name: 'hosted_ledger',
    value: ledger.perSecond,
    unit: 'credits/s',
    baseline: `pgbench simple-update (-N), same PostgreSQL, ${concurrency} clients`,
    baselineValue: tps,
    concurrency,
    p50Ms: ledger.p50Ms,
    p99Ms: ledger.p99Ms,
  });
  results.push({
    name: 'hosted_ledger_first_credits',
    value: opening.perSecond,
    unit: 'credits/s (each opening its account)',
    baseline: `pgbench simple-update (-N), same PostgreSQL, ${concurrency} clients`,
    baselineValue: tps,
    concurrency,
    p50Ms: opening.p50Ms,
    p99Ms: opening.p99Ms,
  });
  results.push({
    name: 'hosted_ledger_debits_across_lots',
    value: debits.perSecond,
    unit: `debits/s (reserve + post, ${debits.lotsPerAccount} lots per account, soonest burnt first)`,
    baseline: `pgbench simple-update (-N), same PostgreSQL, ${concurrency} clients`,
    baselineValue: tps,
    concurrency,
    p50Ms: debits.p50Ms,
    p99Ms: debits.p99Ms,
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
  const alliance = await startBenchAlliance(logger, { members: 200 });
  try {
    if (only === 'all' || only === 'transfers') {
      await benchTransfers(alliance, 'transfers_http', alliance.partners.a, alliance.partners.b);
      recordMemory(alliance, 'transfers_http');
      await benchTransfers(alliance, 'transfers_hosted', alliance.partners.h1, alliance.partners.h2);
      recordMemory(alliance, 'transfers_hosted');
    }
    if (only === 'all' || only === 'quotes') {
      await benchQuotes(alliance);
      recordMemory(alliance, 'quotes');
    }
    if (only === 'all' || only === 'ledger') await benchLedger(alliance);
  } finally {
    await alliance.stop();
  }
}
// The settlement close needs PostgreSQL alone (a database of its own), so it runs once the alliance is gone.
if (only === 'all' || only === 'settlement') {
  const settlement = await benchSettlement(logger);
  results.push(...settlement.results);
  details.settlement = settlement.details;
}
// Reconciliation, too, needs PostgreSQL alone.
if (only === 'all' || only === 'reconcile') {
  const reconcile = await benchReconcile(logger);
  results.push(...reconcile.results);
  details.reconcile = reconcile.details;
}
// The flash sale, too: the order decision against PostgreSQL, in a database of its own.
if (only === 'all' || only === 'flash-sale') {
  const flashSale = await benchFlashSale(logger);
  results.push(...flashSale.results);
  details.flash_sale = flashSale.details;
}
writeReport({ results, details, command: `npm run bench${only === 'all' ? '' : `:${only}`}` });
