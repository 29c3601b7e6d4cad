// Arms partner faults at random on the reference partner systems while the load runs, through their
// /_control/faults switches: down before the effect, down after it (a lost answer), an answer held
// past the gateway's call timeout, slowness, and final refusals. A few at a time, so that most
// transfers still complete and the rest fail or are flagged for the reason armed.
import type { Random } from './random.ts';

type Operation = 'reserve' | 'credit' | 'post' | 'void' | 'outcome';
type Mode = 'fail_before' | 'fail_after' | 'hang_after' | 'latency' | 'refuse';

interface FaultSpec {
  operation: Operation;
  mode: Mode;
  count: number;
  delayMs: number;
  code: string;
}

/** The menu, with weights: refusals are rare, since each ends a transfer. */
const menu: { weight: number; make(random: Random): FaultSpec }[] = [
  ...(['reserve', 'credit', 'post'] as const).flatMap((operation) => [
    { weight: 4, make: (r: Random) => fault(operation, 'fail_before', r.int(1, 3)) },
    { weight: 4, make: (r: Random) => fault(operation, 'fail_after', r.int(1, 2)) },
    { weight: 2, make: (r: Random) => fault(operation, 'hang_after', 1, r.int(1_300, 2_500)) },
    { weight: 3, make: (r: Random) => fault(operation, 'latency', r.int(1, 3), r.int(50, 700)) },
  ]),
  { weight: 1, make: () => fault('reserve', 'refuse', 1, 0, 'account_frozen') },
  { weight: 1, make: () => fault('credit', 'refuse', 1, 0, 'account_closed') },
  { weight: 1, make: () => fault('post', 'refuse', 1, 0, 'reservation_expired') },
  { weight: 1, make: (r: Random) => fault('void', 'fail_before', r.int(1, 2)) },
  { weight: 1, make: (r: Random) => fault('outcome', 'fail_before', r.int(1, 2)) },
];

function fault(operation: Operation, mode: Mode, count: number, delayMs = 0, code = 'refused'): FaultSpec {
  return { operation, mode, count, delayMs, code };
}

export interface FaultInjector {
  /** Faults armed so far, by `operation:mode`. */
  armed: Record<string, number>;
  /** Stops arming, and disarms what is still pending so that the rest of the run ends. */
  stop(): Promise<void>;
}

/** Arms one fault every intervalMs at a random partner system, while fewer than pendingMax wait there. */
export function startFaultInjector(options: {
  systemUrls: string[];
  random: Random;
  intervalMs: number;
  pendingMax: number;
}): FaultInjector {
  const armed: Record<string, number> = {};
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
      if (stopped) break;
      const url = options.random.pick(options.systemUrls);
      try {
        const pending = (await (
          await fetch(`${url}/_control/faults`, { method: 'GET' })
        )
          .json()
          .catch(() => null)) as { faults?: unknown[] } | null;
        if ((pending?.faults?.length ?? 0) >= options.pendingMax) continue;
        const spec = options.random.weighted(menu).make(options.random);
        const response = await fetch(`${url}/_control/faults`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(spec),
        });
        await response.body?.cancel();
        if (response.status === 201) {
          const name = `${spec.operation}:${spec.mode}`;
          armed[name] = (armed[name] ?? 0) + 1;
        }
      } catch {
        // A partner system that cannot be reached now is tried again at the next tick.
      }
    }
  })();
  return {
    armed,
    async stop() {
      stopped = true;
      await loop;
      for (const url of options.systemUrls) {
        const response = await fetch(`${url}/_control/faults`, { method: 'DELETE' });
        await response.body?.cancel();
      }
    },
  };
}
