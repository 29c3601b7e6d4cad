// Load at a fixed arrival rate (an open loop): operation i starts at i / rate seconds whether or not
// the ones before have answered, as members arrive whether or not the gateway is busy. Each latency
// counts from the operation's planned start, so a server that falls behind is charged for the wait
// (a closed loop would hide it by sending less: coordinated omission).
import { type LoadResult, summarise } from './stats.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runOpenLoop(
  count: number,
  ratePerSecond: number,
  okOutcomes: readonly string[],
  operation: (index: number) => Promise<string>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  let ok = 0;
  const begin = performance.now();
  const one = async (index: number) => {
    const planned = begin + (index * 1_000) / ratePerSecond;
    let outcome: string;
    try {
      outcome = await operation(index);
    } catch (error) {
      outcome = error instanceof Error ? error.name : 'Error';
    }
    latencies.push(performance.now() - planned);
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (okOutcomes.includes(outcome)) ok += 1;
  };
  const inFlight: Promise<void>[] = [];
  for (let index = 0; index < count; index += 1) {
    const wait = begin + (index * 1_000) / ratePerSecond - performance.now();
    if (wait > 0) await sleep(wait);
    inFlight.push(one(index));
  }
  await Promise.all(inFlight);
  return summarise(latencies, ok, performance.now() - begin, outcomes);
}
