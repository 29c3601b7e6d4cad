// Routes the Temporal SDK's own logs (worker state, workflow bundling) into our JSON logs, at
// warning level and above unless asked for more, so they do not drown the gateway's lines.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Logger } from './logger.ts';

let installed = false;

export function installTemporalRuntime(
  logger: Logger,
  level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' = 'WARN',
): void {
  if (installed) return;
  installed = true;
  const sdkLogger = logger.child({ component: 'temporal-sdk' });
  const forward = new DefaultLogger(level, (entry) => {
    const method =
      entry.level === 'TRACE' ? 'trace' : (entry.level.toLowerCase() as 'debug' | 'info' | 'warn' | 'error');
    sdkLogger[method](entry.meta ?? {}, entry.message);
  });
  try {
    Runtime.install({ logger: forward });
  } catch (error) {
    // Something in this process already made the runtime; it keeps its own logger.
    logger.debug({ err: error }, 'Temporal runtime already installed');
  }
}
