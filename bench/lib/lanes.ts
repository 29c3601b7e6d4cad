// Runs `count` operations over `concurrency` lanes and measures each: the loop every load generator
// shares. An operation answers with its outcome (an HTTP status, a workflow result); a throw counts
// under the error's name. Only the outcomes in `okOutcomes` count towards throughput.
import { type LoadResult, summarise } from './stats.ts';

export async function runLanes(
  count: number,
  concurrency: number,
  okOutcomes: readonly string[],
  operation: (index: number) => Promise<string>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  let ok = 0;
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      const begin = performance.now();
      let outcome: string;
      try {
        outcome = await operation(index);
      } catch (error) {
        outcome = error instanceof Error ? error.name : 'Error';
      }
      latencies.push(performance.now() - begin);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (okOutcomes.includes(outcome)) ok += 1;
    }
  };
  const begin = performance.now();
  await Promise.all(Array.from({ length: concurrency }, lane));
  return summarise(latencies, ok, performance.now() - begin, outcomes);
}
