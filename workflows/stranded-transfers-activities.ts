// The stranded-transfer sweep's I/O: find transfers accepted but left pending and untouched, and
// start the workflow of each that never got one. Starting is harmless for the others: a running or
// finished workflow under the transfer's id is left as it is.

import { heartbeat } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Db } from '../store/connection.ts';
import { listPendingTransferIds } from '../store/transfers.ts';
import type { TransferTimeouts } from './transfer.workflow.ts';
import { startTransferIfNeverStarted } from './transfer-client.ts';

export interface StrandedTransferDependencies {
  db: Db;
  client: Client;
  taskQueue: string;
  timeouts: TransferTimeouts;
}

const pageSize = 200;

export function createStrandedTransferActivities(deps: StrandedTransferDependencies) {
  return {
    /** Starts every stranded transfer untouched for untouchedSeconds; returns the ids it started. */
    async startStrandedTransfers(input: { untouchedSeconds: number }): Promise<string[]> {
      const untouchedSince = new Date(Date.now() - input.untouchedSeconds * 1000);
      const started: string[] = [];
      let afterId: string | null = null;
      while (true) {
        const ids = await listPendingTransferIds(deps.db, { untouchedSince, afterId, limit: pageSize });
        for (const transferId of ids) {
          if (await startTransferIfNeverStarted(deps, transferId)) started.push(transferId);
        }
        heartbeat(ids.length);
        if (ids.length < pageSize) return started;
        afterId = ids[ids.length - 1] ?? null;
      }
    },
  };
}

export type StrandedTransferActivities = ReturnType<typeof createStrandedTransferActivities>;
