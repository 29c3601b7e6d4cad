// Runs `count` operations over `concurrency` lanes and measures each: the loop every load generator
// shares. An operation answers with its outcome (an HTTP status, a workflow result); a throw counts
// under the error's name. Only the outcomes in `okOutcomes` count towards throughput.
import { type LoadResult, summarise } from './stats.ts';

/** What a load generator keeps of each operation: its latency and its outcome. */
export function createTally(okOutcomes: readonly string[]) {
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  let ok = 0;
  return {
    /** Runs the operation and counts it, its latency from `since` (when it started, or was due to). */
    async measure(since: number, operation: () => Promise<string>): Promise<void> {
      let outcome: string;
      try {
        outcome = await operation();
      } catch (error) {
        outcome = error instanceof Error ? error.name : 'Error';
      }
      latencies.push(performance.now() - since);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (okOutcomes.includes(outcome)) ok += 1;
    },
    summary: (durationMs: number): LoadResult => summarise(latencies, ok, durationMs, outcomes),
  };
}

export async function runLanes(
  count: number,
  concurrency: number,
  okOutcomes: readonly string[],
  operation: (index: number) => Promise<string>,
): Promise<LoadResult> {
  const tally = createTally(okOutcomes);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      await tally.measure(performance.now(), () => operation(index));
    }
  };
  const begin = performance.now();
  await Promise.all(Array.from({ length: concurrency }, lane));
  return tally.summary(performance.now() - begin);
}
