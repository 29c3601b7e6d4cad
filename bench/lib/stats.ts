// Percentiles and throughput from measured latencies.

export function percentile(sortedMs: readonly number[], fraction: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const index = Math.min(sortedMs.length - 1, Math.ceil(fraction * sortedMs.length) - 1);
  return sortedMs[Math.max(0, index)] ?? Number.NaN;
}

export interface LoadResult {
  requests: number;
  ok: number;
  durationMs: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  statuses: Record<string, number>;
}

export function summarise(
  latenciesMs: number[],
  okCount: number,
  durationMs: number,
  statuses: Record<string, number>,
): LoadResult {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    requests: latenciesMs.length,
    ok: okCount,
    durationMs: Math.round(durationMs),
    perSecond: Math.round((okCount / durationMs) * 1000 * 10) / 10,
    p50Ms: Math.round(percentile(sorted, 0.5) * 10) / 10,
    p99Ms: Math.round(percentile(sorted, 0.99) * 10) / 10,
    statuses,
  };
}

/** Rounds as one: throughput over their whole time, the mean median, the worst p99. */
export function pooled(...rounds: LoadResult[]): LoadResult {
  if (rounds.length === 0) throw new Error('pooled needs at least one round');
  const statuses: Record<string, number> = {};
  for (const round of rounds)
    for (const [status, n] of Object.entries(round.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  const sum = (pick: (round: LoadResult) => number) =>
    rounds.reduce((total, round) => total + pick(round), 0);
  const durationMs = sum((round) => round.durationMs);
  const ok = sum((round) => round.ok);
  return {
    requests: sum((round) => round.requests),
    ok,
    durationMs,
    perSecond: Math.round((ok / durationMs) * 1000 * 10) / 10,
    p50Ms: Math.round((sum((round) => round.p50Ms) / rounds.length) * 10) / 10,
    p99Ms: Math.max(...rounds.map((round) => round.p99Ms)),
    statuses,
  };
}
