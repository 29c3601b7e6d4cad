// JSON logs through pino: one line per event, with the request id bound on request logs.
import { type Logger, pino } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'gateway'): Logger {
  return pino({
    name,
    level,
    // Partner credentials and operator tokens must never reach a log line.
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', '*.privateKey'],
      censor: '[redacted]',
    },
  });
}
