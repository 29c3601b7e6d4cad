// Two of each: the same load against one gateway and one worker, then against two of each (the load
// generator spreading requests round-robin over the two gateways, the two workers polling one task
// queue), alternating one, two, two, one so a drift of the shared machine cancels out. Then the
// alliance's conservation checks, which must all hold: more processes must change no outcome.

import { isConserved } from '../../domain/conservation.ts';
import type { Logger } from '../../runtime/logger.ts';
import { findConservationOffenders } from '../../store/conservation.ts';
import type { BenchAlliance } from './alliance.ts';
import type { BenchResult } from './report.ts';
import { httpLoad, type Prepared, signedPost } from './signed-requests.ts';
import { pooled } from './stats.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Workload {
  name: string;
  unit: string;
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
      connections: 32,
      count: Number(process.env.BENCH_SCALE_TRANSFERS ?? 384),
      prepare: (count) =>
        Promise.all(Array.from({ length: count }, () => signedPost(a, '/v1/transfers', body('10')))),
    },
    {
      name: 'scale_quotes_signed',
      unit: 'quotes/s',
      connections: 16,
      count: Number(process.env.BENCH_SCALE_QUOTES ?? 3_000),
      prepare: (count) =>
        Promise.all(Array.from({ length: count }, () => signedPost(a, '/v1/quotes', body('100')))),
    },
  ];
  const results: BenchResult[] = [];
  const details: Record<string, unknown> = {};
  for (const workload of workloads) {
    const okStatus = [201];
    const oneRound = async () =>
      httpLoad(alliance.gatewayUrl, await workload.prepare(workload.count), workload.connections, okStatus);
    const one1 = await oneRound();
    const second = await alliance.addProcesses();
    const twoRound = async () =>
      httpLoad(alliance.gatewayUrl, await workload.prepare(workload.count), workload.connections, okStatus, {
        baseUrls: [alliance.gatewayUrl, second.gatewayUrl],
      });
    const two1 = await twoRound();
    const two2 = await twoRound();
    const memory = { gateway: second.gateway.residentBytes(), worker: second.worker.residentBytes() };
    await second.stop();
    const one2 = await oneRound();
    const one = pooled(one1, one2);
    const two = pooled(two1, two2);
    logger.warn({ workload: workload.name, one: one.perSecond, two: two.perSecond }, 'two of each');
    details[workload.name] = { one, two, rounds: { one: [one1, one2], two: [two1, two2] }, memory };
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
  }
  details.conservation = await conservationAfter(alliance);
  return { results, details };
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
