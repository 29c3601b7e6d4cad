// The points-payment sweep's I/O: void authorizations past their end, start operations left pending.
import { heartbeat } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { createServiceContext } from '../services/context.ts';
import { expireAuthorization } from '../services/points-payments.ts';
import type { Db } from '../store/connection.ts';
import { listExpiredAuthorizations, listPendingOperations } from '../store/points-payments.ts';
import { startPointsPaymentIfNotRunning } from './points-payment-client.ts';
import type { TransferTimeouts } from './transfer.workflow.ts';

export interface PointsPaymentSweepDependencies {
  db: Db;
  client: Client;
  taskQueue: string;
  timeouts: TransferTimeouts;
}

const pageSize = 200;

export function createPointsPaymentSweepActivities(deps: PointsPaymentSweepDependencies) {
  const context = createServiceContext(deps.db);
  const start = (operationId: string) => startPointsPaymentIfNotRunning(deps, operationId);
  return {
    /** Voids every authorization past its end; returns the payments it voided. */
    async expireDueAuthorizations(): Promise<string[]> {
      const expired: string[] = [];
      const now = new Date();
      while (true) {
        const ids = await listExpiredAuthorizations(deps.db, { now, limit: pageSize });
        for (const paymentId of ids) {
          const operationId = await expireAuthorization(context, paymentId, now);
          if (operationId === null) continue;
          expired.push(paymentId);
          // A start that fails here is made by the next sweep: the void is stored as pending.
          await start(operationId).catch(() => false);
        }
        heartbeat(expired.length);
        if (ids.length < pageSize) return expired;
      }
    },

    /** Starts every operation pending and untouched for untouchedSeconds whose workflow is not running. */
    async startPendingPaymentOperations(input: { untouchedSeconds: number }): Promise<string[]> {
      const started: string[] = [];
      const untouchedSince = new Date(Date.now() - input.untouchedSeconds * 1000);
      let afterId: string | null = null;
      while (true) {
        const operations = await listPendingOperations(deps.db, { untouchedSince, afterId, limit: pageSize });
        for (const operation of operations) if (await start(operation.id)) started.push(operation.id);
        heartbeat(started.length);
        if (operations.length < pageSize) return started;
        afterId = operations[operations.length - 1]?.id ?? null;
      }
    },
  };
}

export type PointsPaymentSweepActivities = ReturnType<typeof createPointsPaymentSweepActivities>;
