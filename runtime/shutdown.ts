// Ctrl-C and SIGTERM stop the process cleanly: each clean-up step runs once, in order, and a step
// that fails does not keep the later ones (stopping the servers this process started) from running.
import type { Logger } from './logger.ts';

export type ShutdownStep = readonly [name: string, run: () => Promise<unknown>];

export function onShutdown(logger: Logger, steps: readonly ShutdownStep[]): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    let failed = false;
    for (const [name, run] of steps) {
      try {
        await run();
      } catch (error) {
        failed = true;
        logger.error({ err: error, step: name }, 'shutdown step failed');
      }
    }
    process.exit(failed ? 1 : 0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
