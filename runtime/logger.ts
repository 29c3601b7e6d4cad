// Logs through pino: JSON lines, one per event, for machines (a file, a container, CI); readable
// coloured lines when a person watches a terminal (pino-pretty, in pino's own worker thread, so the
// event loop never formats). LOG_FORMAT=json or pretty overrides the guess.
import { type Logger, pino } from 'pino';

export type { Logger };

function wantsPretty(): boolean {
  const format = process.env.LOG_FORMAT;
  if (format === 'json') return false;
  if (format === 'pretty') return true;
  return process.stdout.isTTY === true && process.env.NODE_ENV !== 'production';
}

export function createLogger(level: string, name = 'gateway'): Logger {
  return pino({
    name,
    level,
    // Partner credentials and operator tokens must never reach a log line.
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', '*.privateKey'],
      censor: '[redacted]',
    },
    ...(wantsPretty()
      ? {
          transport: {
            target: 'pino-pretty',
            options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
          },
        }
      : {}),
  });
}
