// Load at a fixed arrival rate (an open loop): operation i starts at i / rate seconds whether or not
// the ones before have answered, as members arrive whether or not the gateway is busy. Each latency
// counts from the operation's planned start, so a server that falls behind is charged for the wait
// (a closed loop would hide it by sending less: coordinated omission).
import { createTally } from './lanes.ts';
import type { LoadResult } from './stats.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runOpenLoop(
  count: number,
  ratePerSecond: number,
  okOutcomes: readonly string[],
  operation: (index: number) => Promise<string>,
): Promise<LoadResult> {
  const tally = createTally(okOutcomes);
  const begin = performance.now();
  const plannedStart = (index: number) => begin + (index * 1_000) / ratePerSecond;
  const inFlight: Promise<void>[] = [];
  for (let index = 0; index < count; index += 1) {
    const wait = plannedStart(index) - performance.now();
    if (wait > 0) await sleep(wait);
    inFlight.push(tally.measure(plannedStart(index), () => operation(index)));
  }
  await Promise.all(inFlight);
  return tally.summary(performance.now() - begin);
}
