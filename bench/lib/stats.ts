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
