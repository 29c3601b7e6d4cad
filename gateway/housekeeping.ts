// Periodic clean-up: expired nonces, idempotent answers past their retention, and hosted-ledger
// reservations past their expiry (their points go back to the member).
import type { Logger } from '../runtime/logger.ts';
import type { Db } from '../store/connection.ts';
import { expireOverdueReservations } from '../store/hosted-ledger/operations.ts';
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
      // Holds nobody posted or voided in time give their points back.
      const expired = await expireOverdueReservations(options.db);
      const retentionMs = options.idempotencyRetentionHours * 3_600_000;
      const answers = await deleteOldIdempotencyRecords(options.db, new Date(Date.now() - retentionMs));
      if (nonces > 0n || answers > 0n || expired > 0) {
        options.logger.info(
          { nonces: Number(nonces), answers: Number(answers), expiredReservations: expired },
          'housekeeping',
        );
      }
    } catch (error) {
      options.logger.warn({ err: error }, 'housekeeping failed; it runs again at the next interval');
    }
  };
  const timer = setInterval(run, options.intervalMs ?? 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
