// Two of each: the same load against one gateway and one worker, then against two of each (the load
// generator spreading requests round-robin over the two gateways, the two workers polling one task
// queue), alternating one, two, two, one (twice by default) so a drift of the shared machine cancels
// out, each configuration warmed first, with the machine's CPU per request over each measured round
// (bench/lib/cpu-usage.ts). The same question is asked of the least each workload can be: a bare
// workflow on bare workers, a bare gateway and worker pair, and the floor under a quote on bare
// processes; what those lose, the alliance's processes cannot win back. Then the alliance's
// conservation checks, which must all hold: more processes must change no outcome.

import { isConserved } from '../../domain/conservation.ts';
import type { Logger } from '../../runtime/logger.ts';
import { serviceNodeFlags } from '../../runtime/node-flags.ts';
import { findConservationOffenders } from '../../store/conservation.ts';
import { audience, type BenchAlliance } from './alliance.ts';
import { startBareWorker } from './bare-processes.ts';
import {
  addCpuUsage,
  type CpuPerRequest,
  type CpuUsage,
  cpuBetween,
  cpuPerRequest,
  cpuSnapshot,
} from './cpu-usage.ts';
import { freePort, runJson, startService } from './processes.ts';
import { perSecond, progressOf } from './progress.ts';
import type { BenchResult } from './report.ts';
import { httpLoad, type Prepared, signedPost } from './signed-requests.ts';
import { type LoadResult, pooled } from './stats.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Workload {
  name: string;
  unit: string;
  /** One request's work, in words: `transfer`. */
  request: string;
  connections: number;
  count: number;
  prepare(count: number): Promise<Prepared[]>;
}

export async function benchScale(
  alliance: BenchAlliance,
  logger: Logger,
): Promise<{ results: BenchResult[]; details: Record<string, unknown> }> {
  const { a, b } = alliance.partners;
  let member = 0;
  const body = (sourcePoints: string) => ({
    memberId: alliance.memberIds[member++ % alliance.memberIds.length],
    sourceProgramId: a.programId,
    targetProgramId: b.programId,
    sourcePoints,
  });
  const workloads: Workload[] = [
    {
      name: 'scale_transfers_http',
      unit: 'transfers/s',
      request: 'transfer',
      connections: 32,
      count: Number(process.env.BENCH_SCALE_TRANSFERS ?? 384),
      prepare: (count) =>
        Promise.all(Array.from({ length: count }, () => signedPost(a, '/v1/transfers', body('10')))),
    },
    {
      name: 'scale_quotes_signed',
      unit: 'quotes/s',
      request: 'quote',
      connections: 16,
      count: Number(process.env.BENCH_SCALE_QUOTES ?? 3_000),
      prepare: (count) =>
        Promise.all(Array.from({ length: count }, () => signedPost(a, '/v1/quotes', body('100')))),
    },
  ];
  const results: BenchResult[] = [];
  const details: Record<string, unknown> = {};
  const cycles = Number(process.env.BENCH_SCALE_CYCLES ?? 2);
  for (const workload of workloads) {
    const okStatus = [201];
    const round = async (count: number, baseUrls: string[]) =>
      httpLoad(baseUrls[0] ?? '', await workload.prepare(count), workload.connections, okStatus, {
        baseUrls,
      });
    // A sixth of a round, unmeasured, each time processes start taking load: every measured round then
    // meets processes that have compiled and cached what they run, as a long-running alliance's do.
    const warmUp = Math.max(workload.connections, Math.round(workload.count / 6));
    let memory = { gateway: 0, worker: 0 };
    const { one, two, rounds, cpu } = await oneThenTwo({
      name: workload.name,
      cycles,
      count: workload.count,
      warmUp,
      startSecond: () => alliance.addProcesses(),
      round: (n, second) =>
        round(n, second ? [alliance.gatewayUrl, second.gatewayUrl] : [alliance.gatewayUrl]),
      beforeStop: (second) => {
        memory = { gateway: second.gateway.residentBytes(), worker: second.worker.residentBytes() };
      },
    });
    logger.warn({ workload: workload.name, one: one.perSecond, two: two.perSecond }, 'two of each');
    details[workload.name] = { one, two, rounds, memory, cpu };
    results.push({
      name: workload.name,
      value: two.perSecond,
      unit: `${workload.unit} with two gateways and two workers (round-robin)`,
      baseline: 'one gateway and one worker, same load, same run',
      baselineValue: one.perSecond,
      concurrency: workload.connections,
      p50Ms: two.p50Ms,
      p99Ms: two.p99Ms,
    });
    results.push(cpuResult(workload.name, workload.request, cpu));
  }
  const bare = await bareScale(alliance, cycles);
  details.scale_bare_workflow = bare.details;
  results.push(bare.result, bare.cpuResult);
  const barePair = await barePairScale(alliance, cycles);
  details.scale_bare_pair = barePair.details;
  results.push(barePair.result, barePair.cpuResult);
  const bareQuotes = await bareQuotesScale(alliance, cycles, () => body('100'));
  details.scale_bare_quotes = bareQuotes.details;
  results.push(bareQuotes.result, bareQuotes.cpuResult);
  details.conservation = await conservationAfter(alliance);
  return { results, details };
}

/**
 * The same question asked of Temporal alone: a bare workflow with four no-op activities (bench/
 * bare.workflow.ts) on one bare worker, then on two polling one task queue, alternating as above. On
 * one machine, a second worker can only share the cores the server and the first worker already use;
 * what the bare pair loses there, the gateway's pair cannot win back.
 */
async function bareScale(alliance: BenchAlliance, cycles: number) {
  const taskQueue = 'bench-bare-scale';
  const concurrency = 32;
  const count = Number(process.env.BENCH_SCALE_TRANSFERS ?? 384);
  const round = (n: number) =>
    runJson<LoadResult>('bench/temporal-load.ts', [
      alliance.temporalAddress,
      String(n),
      String(concurrency),
      taskQueue,
    ]);
  const first = await startBareWorker(alliance.temporalAddress, taskQueue);
  const { one, two, rounds, cpu } = await oneThenTwo({
    name: 'scale_bare_workflow',
    cycles,
    count,
    warmUp: Math.max(concurrency, Math.round(count / 6)),
    startSecond: () => startBareWorker(alliance.temporalAddress, taskQueue),
    round,
  }).finally(() => first.stop());
  const result: BenchResult = {
    name: 'scale_bare_workflow',
    value: two.perSecond,
    unit: 'bare workflows/s (4 no-op activities) with two bare workers on one task queue',
    baseline: 'one bare worker, same load, same run',
    baselineValue: one.perSecond,
    concurrency,
    p50Ms: two.p50Ms,
    p99Ms: two.p99Ms,
  };
  return {
    result,
    cpuResult: cpuResult('scale_bare_workflow', 'bare workflow', cpu),
    details: { one, two, rounds, cpu },
  };
}

/**
 * The whole question asked of the least a gateway and a worker can be: bench/bare-hono.ts (the
 * signature checked, a bare workflow started and awaited) with a bare worker, one pair against two
 * (the load spread round-robin over the two bare gateways), alternating as above. What two such
 * pairs lose against one on this machine, the alliance's pair cannot be expected to win back.
 */
function barePairScale(alliance: BenchAlliance, cycles: number) {
  return bareGatewaysScale(alliance, cycles, {
    name: 'scale_bare_pair',
    unit: 'bare transfers/s (signature checked, 4 no-op activities awaited) with two bare gateways and two bare workers (round-robin)',
    baseline: 'one bare gateway and one bare worker, same load, same run',
    request: 'bare transfer',
    path: '/floor/v1/transfers',
    body: () => ({}),
    connections: 32,
    count: Number(process.env.BENCH_SCALE_TRANSFERS ?? 384),
    taskQueue: 'bench-bare-pair',
  });
}

/**
 * The same for quotes: the least any quote can do (bench/bare-hono.ts's floor: the signature checked
 * and one statement, on the alliance's database), from one bare process, then two. Its rounds are
 * four times the gateway's quote rounds, which it runs about four times as fast.
 */
function bareQuotesScale(alliance: BenchAlliance, cycles: number, body: () => object) {
  return bareGatewaysScale(alliance, cycles, {
    name: 'scale_bare_quotes',
    unit: 'bare quotes/s (signature checked, one statement: the floor under a quote) with two bare processes (round-robin)',
    baseline: 'one bare process, same load, same run',
    request: 'bare quote',
    path: '/floor/v1/quotes',
    body,
    connections: 16,
    count: 4 * Number(process.env.BENCH_SCALE_QUOTES ?? 3_000),
    taskQueue: null,
  });
}

async function bareGatewaysScale(
  alliance: BenchAlliance,
  cycles: number,
  options: {
    name: string;
    unit: string;
    baseline: string;
    request: string;
    path: string;
    body: () => object;
    connections: number;
    count: number;
    /** The bare worker's queue, for a floor that starts workflows; null for none. */
    taskQueue: string | null;
  },
) {
  const { connections, count, taskQueue } = options;
  const { a } = alliance.partners;
  const startPair = async () => {
    const worker = taskQueue ? await startBareWorker(alliance.temporalAddress, taskQueue) : null;
    const port = await freePort();
    const gateway = await startService({
      name: 'bare-hono',
      script: 'dist/bench/bare-hono.js',
      nodeFlags: serviceNodeFlags['dist/scripts/gateway.js'],
      env: {
        PARTNER_PUBLIC_JWKS: JSON.stringify({ keys: [a.key.publicJwk] }),
        GATEWAY_AUDIENCE: audience,
        ...(taskQueue
          ? { TEMPORAL_ADDRESS: alliance.temporalAddress, TEMPORAL_TASK_QUEUE: taskQueue }
          : { DATABASE_URL: alliance.databaseUrl }),
        PORT: String(port),
      },
      ready: 'bare hono listening',
    });
    return {
      url: `http://127.0.0.1:${port}`,
      stop: async () => {
        await gateway.stop();
        await worker?.stop();
      },
    };
  };
  const path = options.path.replace('/floor', '');
  const round = async (n: number, baseUrls: string[]) =>
    httpLoad(
      baseUrls[0] ?? '',
      await Promise.all(Array.from({ length: n }, () => signedPost(a, options.path, options.body(), path))),
      connections,
      [201],
      { baseUrls },
    );
  const first = await startPair();
  const { one, two, rounds, cpu } = await oneThenTwo({
    name: options.name,
    cycles,
    count,
    warmUp: Math.max(connections, Math.round(count / 6)),
    startSecond: startPair,
    round: (n, second) => round(n, second ? [first.url, second.url] : [first.url]),
  }).finally(() => first.stop());
  const result: BenchResult = {
    name: options.name,
    value: two.perSecond,
    unit: options.unit,
    baseline: options.baseline,
    baselineValue: one.perSecond,
    concurrency: connections,
    p50Ms: two.p50Ms,
    p99Ms: two.p99Ms,
  };
  return {
    result,
    cpuResult: cpuResult(options.name, options.request, cpu),
    details: { one, two, rounds, cpu },
  };
}

const progress = progressOf('scale');

/**
 * One, two, two, one, `cycles` times: the first configuration alone, then with a second started for
 * its two rounds (and stopped after them), so that a drift of the shared machine cancels out. Each
 * configuration is warmed first (a sixth of a round, unmeasured, each time processes start taking
 * load), so every measured round meets processes that have compiled and cached what they run.
 */
async function oneThenTwo<Second extends { stop(): Promise<void> }>(options: {
  /** What runs, as the progress lines name it. */
  name: string;
  cycles: number;
  count: number;
  warmUp: number;
  startSecond(): Promise<Second>;
  /** A round of `n` against the first alone (`second` null) or against both. */
  round(n: number, second: Second | null): Promise<LoadResult>;
  /** Reads the second before it stops (its memory). */
  beforeStop?(second: Second): void;
}) {
  const { cycles, count, warmUp, round } = options;
  const oneRounds: (LoadResult & { cpu: CpuPerRequest })[] = [];
  const twoRounds: (LoadResult & { cpu: CpuPerRequest })[] = [];
  const oneCpu: { usage: CpuUsage; durationMs: number }[] = [];
  const twoCpu: { usage: CpuUsage; durationMs: number }[] = [];
  // A measured round, with the machine's CPU over it.
  const measure = async (second: Second | null) => {
    const before = cpuSnapshot();
    const result = await round(count, second);
    const usage = cpuBetween(before, cpuSnapshot());
    (second ? twoCpu : oneCpu).push({ usage, durationMs: result.durationMs });
    (second ? twoRounds : oneRounds).push({ ...result, cpu: cpuPerRequest(usage, result.ok) });
    progress(`${options.name}, ${second ? 'two of each' : 'one of each'}: ${perSecond(result.perSecond)}`);
  };
  await round(warmUp, null);
  for (let cycle = 0; cycle < cycles; cycle += 1) {
    progress(`${options.name}: cycle ${cycle + 1} of ${cycles}`);
    await measure(null);
    const second = await options.startSecond();
    try {
      await round(warmUp, second);
      await measure(second);
      await measure(second);
      options.beforeStop?.(second);
    } finally {
      await second.stop();
    }
    await measure(null);
  }
  const one = pooled(...oneRounds);
  const two = pooled(...twoRounds);
  return {
    one,
    two,
    rounds: { one: oneRounds, two: twoRounds },
    cpu: { one: cpuPerRequest(addCpuUsage(oneCpu), one.ok), two: cpuPerRequest(addCpuUsage(twoCpu), two.ok) },
  };
}

/** The CPU the machine spent per request with two of each, against one of each: where the rest of a loss went. */
function cpuResult(name: string, what: string, cpu: { one: CpuPerRequest; two: CpuPerRequest }): BenchResult {
  return {
    name: `${name}_cpu`,
    value: cpu.two.totalMs,
    unit: `CPU ms per ${what} with two of each, all processes on the machine (lower is better; machine ${Math.round(cpu.two.busy * 100)} % busy, against ${Math.round(cpu.one.busy * 100)} % with one)`,
    baseline: 'one of each, same load, same run',
    baselineValue: cpu.one.totalMs,
  };
}

/** Waits for the transfers in flight to end, then runs every conservation check; throws if one fails. */
async function conservationAfter(alliance: BenchAlliance) {
  const deadline = Date.now() + 120_000;
  let unfinished: { status: string; count: bigint }[] = [];
  do {
    unfinished = await alliance.db
      .selectFrom('transfers')
      .select(['status', (eb) => eb.fn.countAll<bigint>().as('count')])
      .where('status', 'not in', ['completed', 'failed'])
      .groupBy('status')
      .execute();
    if (unfinished.length > 0) await sleep(1_000);
  } while (unfinished.length > 0 && Date.now() < deadline);
  const statuses = await alliance.db
    .selectFrom('transfers')
    .select(['status', (eb) => eb.fn.countAll<bigint>().as('count')])
    .groupBy('status')
    .execute();
  const findings = await findConservationOffenders(alliance.db, { reservationGraceSeconds: 60 });
  const conserved = isConserved(findings);
  const summary = {
    conserved,
    entriesSum: String(findings.entriesSum),
    offenders: Object.fromEntries(
      Object.entries(findings.offenders).map(([check, found]) => [check, String(found.count)]),
    ),
    transfers: Object.fromEntries(statuses.map((row) => [row.status, String(row.count)])),
  };
  if (!conserved || unfinished.length > 0)
    throw new Error(`conservation after the scale bench failed: ${JSON.stringify(summary)}`);
  return summary;
}
