// Periodic clean-up of request guards: expired nonces and idempotent answers past their retention.
import type { Logger } from '../runtime/logger.ts';
import type { Db } from '../store/connection.ts';
import { deleteOldIdempotencyRecords } from '../store/idempotency.ts';
import { deleteExpiredNonces } from '../store/request-nonces.ts';

export function startHousekeeping(options: {
  db: Db;
  logger: Logger;
  idempotencyRetentionHours: number;
  intervalMs?: number;
}): () => void {
  const run = async () => {
    try {
      const nonces = await deleteExpiredNonces(options.db);
      const retentionMs = options.idempotencyRetentionHours * 3_600_000;
      const answers = await deleteOldIdempotencyRecords(options.db, new Date(Date.now() - retentionMs));
      if (nonces > 0n || answers > 0n) {
        options.logger.debug({ nonces: Number(nonces), answers: Number(answers) }, 'housekeeping');
      }
    } catch (error) {
      options.logger.warn({ err: error }, 'housekeeping failed; it runs again at the next interval');
    }
  };
  const timer = setInterval(run, options.intervalMs ?? 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
