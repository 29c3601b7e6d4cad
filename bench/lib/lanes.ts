// Runs `count` operations over `concurrency` lanes and measures each: the loop every load generator shares.
import { type LoadResult, summarise } from './stats.ts';

export async function runLanes(
  count: number,
  concurrency: number,
  operation: () => Promise<boolean>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let ok = 0;
  let started = 0;
  const lane = async () => {
    while (started < count) {
      started += 1;
      const begin = performance.now();
      if (await operation()) ok += 1;
      latencies.push(performance.now() - begin);
    }
  };
  const begin = performance.now();
  await Promise.all(Array.from({ length: concurrency }, lane));
  return summarise(latencies, ok, performance.now() - begin, { ok });
}
