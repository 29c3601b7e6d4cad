// The stranded-transfer sweep's I/O: find transfers (and reversals) accepted but left pending and
// untouched, and start the workflow of each that never got one. Starting is harmless for the others:
// a running or finished workflow under the same id is left as it is.

import { heartbeat } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Db } from '../store/connection.ts';
import { listStrandedReversalIds } from '../store/reversals.ts';
import { listPendingTransferIds } from '../store/transfers.ts';
import { startReversalIfNeverStarted } from './reversal-client.ts';
import type { TransferTimeouts } from './transfer.workflow.ts';
import { startTransferIfNeverStarted } from './transfer-client.ts';

export interface StrandedTransferDependencies {
  db: Db;
  client: Client;
  taskQueue: string;
  timeouts: TransferTimeouts;
}

const pageSize = 200;

type PageOfIds = (
  db: Db,
  input: { untouchedSince: Date; afterId: string | null; limit: number },
) => Promise<string[]>;

async function sweep(
  db: Db,
  list: PageOfIds,
  untouchedSince: Date,
  start: (id: string) => Promise<boolean>,
): Promise<string[]> {
  const started: string[] = [];
  let afterId: string | null = null;
  while (true) {
    const ids = await list(db, { untouchedSince, afterId, limit: pageSize });
    for (const id of ids) if (await start(id)) started.push(id);
    heartbeat(ids.length);
    if (ids.length < pageSize) return started;
    afterId = ids[ids.length - 1] ?? null;
  }
}

export function createStrandedTransferActivities(deps: StrandedTransferDependencies) {
  return {
    /** Starts every stranded transfer and reversal untouched for untouchedSeconds; returns the ids it started. */
    async startStrandedTransfers(input: { untouchedSeconds: number }): Promise<string[]> {
      const untouchedSince = new Date(Date.now() - input.untouchedSeconds * 1000);
      return [
        ...(await sweep(deps.db, listPendingTransferIds, untouchedSince, (id) =>
          startTransferIfNeverStarted(deps, id),
        )),
        ...(await sweep(deps.db, listStrandedReversalIds, untouchedSince, (id) =>
          startReversalIfNeverStarted(deps, id),
        )),
      ];
    },
  };
}

export type StrandedTransferActivities = ReturnType<typeof createStrandedTransferActivities>;
