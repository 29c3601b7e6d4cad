// Transfers through the gateway against a bare Temporal workflow with four no-op activities on the
// same server: throughput by concurrency until it stops rising, the latency of one transfer at a
// time, and the latency at half the peak rate (arrivals at a fixed rate, as members come).
import type { Logger } from '../../runtime/logger.ts';
import type { BenchAlliance, BenchPartner } from './alliance.ts';
import { startBareWorker } from './bare-processes.ts';
import { runJson } from './processes.ts';
import type { BenchResult } from './report.ts';
import { httpLoad, signedPost } from './signed-requests.ts';
import { type LoadResult, pooled } from './stats.ts';

interface Level {
  concurrency: number;
  transfers: LoadResult;
  bare: LoadResult;
  rounds: unknown;
}

export interface TransfersBench {
  results: BenchResult[];
  details: {
    levels: Level[];
    halfPeak: { ratePerSecond: number; transfers: LoadResult; bare: LoadResult } | null;
  };
  /** The bare worker's resident memory after its runs: the worker's memory baseline. */
  bareWorkerBytes: number;
}

const halfPeakSeconds = 20;

export async function benchTransfers(
  alliance: BenchAlliance,
  name: string,
  from: BenchPartner,
  to: BenchPartner,
  logger: Logger,
  // Latency against the bare workflow means something only for transfers that run one: a transfer
  // between two hosted programmes settles in its request (docs/hosted-transfers.md).
  options: { latency: boolean },
): Promise<TransfersBench> {
  const taskQueue = `bench-bare-${name}`;
  const bare = await startBareWorker(alliance.temporalAddress, taskQueue);
  let member = 0;
  const transferRequests = (count: number) =>
    Promise.all(
      Array.from({ length: count }, () =>
        signedPost(from, '/v1/transfers', {
          memberId: alliance.memberIds[member++ % alliance.memberIds.length],
          sourceProgramId: from.programId,
          targetProgramId: to.programId,
          sourcePoints: '10',
        }),
      ),
    );
  const transferRound = async (count: number, concurrency: number) =>
    httpLoad(alliance.gatewayUrl, await transferRequests(count), concurrency, [201]);
  const bareRound = (count: number, concurrency: number, rate?: number) =>
    runJson<LoadResult>('bench/temporal-load.ts', [
      alliance.temporalAddress,
      String(count),
      String(concurrency),
      taskQueue,
      ...(rate ? [String(rate)] : []),
    ]);
  const levels: Level[] = [];
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
  const peak = levels.reduce((best, level) =>
    level.transfers.perSecond > best.transfers.perSecond ? level : best,
  );
  // Half the peak rate, as arrivals: the latency members feel on a busy day that is not the worst.
  const ratePerSecond = Math.max(1, Math.round((peak.transfers.perSecond / 2) * 10) / 10);
  const halfPeakCount = Math.max(40, Math.round(ratePerSecond * halfPeakSeconds));
  const halfPeak = options.latency
    ? {
        ratePerSecond,
        transfers: await httpLoad(alliance.gatewayUrl, await transferRequests(halfPeakCount), 256, [201], {
          ratePerSecond,
        }),
        bare: await bareRound(halfPeakCount, 0, ratePerSecond),
      }
    : null;
  if (halfPeak) logger.warn({ name, ...halfPeak }, 'half the peak rate');
  const bareWorkerBytes = bare.residentBytes();
  await bare.stop();
  const one = levels[0] as Level;
  const results: BenchResult[] = [
    {
      name,
      value: peak.transfers.perSecond,
      unit: 'transfers/s',
      baseline: `bare Temporal workflow with 4 no-op activities, same server, concurrency ${peak.concurrency}`,
      baselineValue: peak.bare.perSecond,
      concurrency: peak.concurrency,
      p50Ms: peak.transfers.p50Ms,
      p99Ms: peak.transfers.p99Ms,
    },
  ];
  if (!halfPeak) return { results, details: { levels, halfPeak }, bareWorkerBytes };
  results.push(
    {
      name: `${name}_latency_one_at_a_time`,
      value: one.transfers.p50Ms,
      unit: 'ms p50 (lower is better)',
      baseline: 'bare Temporal workflow with 4 no-op activities, p50 at concurrency 1',
      baselineValue: one.bare.p50Ms,
      concurrency: 1,
      p50Ms: one.transfers.p50Ms,
      p99Ms: one.transfers.p99Ms,
    },
    {
      name: `${name}_latency_half_peak`,
      value: halfPeak.transfers.p50Ms,
      unit: `ms p50 (lower is better) at ${ratePerSecond} transfers/s arriving, half the peak`,
      baseline: 'bare Temporal workflow with 4 no-op activities, p50 at the same arrival rate',
      baselineValue: halfPeak.bare.p50Ms,
      p50Ms: halfPeak.transfers.p50Ms,
      p99Ms: halfPeak.transfers.p99Ms,
    },
  );
  return { results, details: { levels, halfPeak }, bareWorkerBytes };
}
