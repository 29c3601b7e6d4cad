// SIGKILLs the gateway, the worker, or both at once, spread over the load and always while requests
// are in flight, then starts them again on the same port and task queue, as a supervisor would.
import type { RestartableService } from '../../bench/lib/processes.ts';
import type { ChaosAlliance } from './alliance.ts';
import type { LoadProgress } from './load.ts';
import type { Random } from './random.ts';

export type KillTarget = 'gateway' | 'worker' | 'both';

export interface KillEvent {
  target: KillTarget;
  /** Since the load started. */
  atMs: number;
  /** Transfer requests in flight when it was killed. */
  inFlight: number;
  /** From the kill to the restart's start. */
  downMs: number;
  /** From the restart's start until the service said it was ready. */
  restartMs: number;
}

const order: readonly KillTarget[] = ['gateway', 'worker', 'both'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startAgain(service: RestartableService): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await service.start();
    } catch (error) {
      if (attempt >= 2) throw new Error(`${service.name} did not start again: ${(error as Error).message}`);
      await sleep(1_000);
    }
  }
}

/** Kills `kills` times, at even steps of the load; settles when done or when the load is over. */
export async function runKills(
  alliance: ChaosAlliance,
  options: {
    kills: number;
    total: number;
    progress: LoadProgress;
    random: Random;
    loadStartedAt: number;
    loadOver: () => boolean;
    events: KillEvent[];
  },
): Promise<void> {
  const first = options.random.int(0, order.length - 1);
  for (let index = 0; index < options.kills; index += 1) {
    const threshold = Math.floor(((index + 1) * options.total) / (options.kills + 1));
    while (!options.loadOver() && (options.progress.started < threshold || options.progress.inFlight === 0))
      await sleep(50);
    if (options.loadOver()) return;
    await sleep(options.random.int(0, 800));
    const target = order[(first + index) % order.length] as KillTarget;
    const services = target === 'both' ? [alliance.gateway, alliance.worker] : [alliance[target]];
    const inFlight = options.progress.inFlight;
    const atMs = Date.now() - options.loadStartedAt;
    await Promise.all(services.map((service) => service.kill()));
    const downMs = options.random.int(200, 2_000);
    await sleep(downMs);
    const restartedAt = Date.now();
    await Promise.all(services.map(startAgain));
    options.events.push({ target, atMs, inFlight, downMs, restartMs: Date.now() - restartedAt });
  }
}
