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

/** Two rounds as one: throughput over their whole time, the mean median, the worse p99. */
export function pooled(first: LoadResult, second: LoadResult): LoadResult {
  const statuses: Record<string, number> = { ...first.statuses };
  for (const [status, n] of Object.entries(second.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  const durationMs = first.durationMs + second.durationMs;
  const ok = first.ok + second.ok;
  return {
    requests: first.requests + second.requests,
    ok,
    durationMs,
    perSecond: Math.round((ok / durationMs) * 1000 * 10) / 10,
    p50Ms: Math.round(((first.p50Ms + second.p50Ms) / 2) * 10) / 10,
    p99Ms: Math.max(first.p99Ms, second.p99Ms),
    statuses,
  };
}
