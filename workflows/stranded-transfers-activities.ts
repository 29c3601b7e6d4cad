// The stranded-transfer sweep's I/O: find transfers left in a middle state (pending, reserved,
// credited) and untouched for a while, and reversals left pending, and drive each towards an end;
// likewise catalog orders, accruals and their refunds, reconciliation runs never started, and
// settlement cycles sealed but not netted.
// A transfer's workflow is described first: none yet → start it (as the request would have);
// running → leave it; stopped (terminated, failed, timed out…) with the transfer still in the
// middle → start a recovery run, which asks the partners what happened and completes or
// compensates. What the sweep did is recorded for finance (store/sweeps.ts), once per workflow.
// Held transfers are not in the middle: the sweep leaves them to their partner, and fails those whose
// hold expired (services/theft-holds.ts).

import { heartbeat, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { expireTheftHolds } from '../services/theft-holds.ts';
import { listStrandedAccrualReversalIds } from '../store/accrual-reversals.ts';
import { listStrandedAccrualIds } from '../store/accruals.ts';
import { listStrandedOrderIds } from '../store/catalog-orders.ts';
import type { Db } from '../store/connection.ts';
import type { SweepActionKind } from '../store/database.ts';
import { listStrandedRunIds } from '../store/reconciliation-runs.ts';
import { findReversal, listStrandedReversalIds } from '../store/reversals.ts';
import { listUnnettedCycles } from '../store/settlement.ts';
import { listStuckTransfers, type MiddleStatus, recordSweepAction } from '../store/sweeps.ts';
import { listAbandonedDeliveryIds, listStaleTransferDeliveries } from '../store/webhooks.ts';
import { startAccrualIfNotRunning } from './accrual-client.ts';
import { startCatalogOrder } from './catalog-order-client.ts';
import { startStrandedReconciliationRun } from './reconciliation-client.ts';
import { startReversalIfNotRunning } from './reversal-client.ts';
import { startSettlementClose } from './settlement-client.ts';
import type { TransferTimeouts } from './transfer.workflow.ts';
import {
  describeRun,
  type RunState,
  recoveryWorkflowId,
  startTransferIfNeverStarted,
  startTransferRecovery,
} from './transfer-client.ts';
import {
  startPendingTransferWebhooks,
  startRedelivery,
  startTransferWebhooks,
  transferWebhooksWorkflowId,
} from './transfer-webhooks-client.ts';

export interface StrandedTransferDependencies {
  db: Db;
  client: Client;
  taskQueue: string;
  timeouts: TransferTimeouts;
}

/** What the sweep did, by action: ids of transfers and reversals. */
export interface SweepSummary {
  started: string[];
  recovered: string[];
  leftRunning: string[];
  gaveUp: string[];
  /** Transfers whose theft hold nobody released or cancelled in time: failed, having moved nothing. */
  expiredHolds: string[];
}

/**
 * Recovery runs a transfer may get. Each ends the transfer unless it is itself stopped by hand (a
 * partner that cannot be asked for long flags the transfer for finance instead), so a third stopped
 * run means someone keeps stopping them: the sweep stops too, and says so.
 */
export const recoveryRunsMax = 3;

const pageSize = 200;

async function forEachPage<T extends { id: string }>(
  list: (afterId: string | null) => Promise<T[]>,
  visit: (item: T) => Promise<void>,
): Promise<void> {
  let afterId: string | null = null;
  while (true) {
    const items = await list(afterId);
    for (const item of items) await visit(item);
    heartbeat(items.length);
    if (items.length < pageSize) return;
    afterId = items[items.length - 1]?.id ?? null;
  }
}

type Decision =
  | { action: 'start_workflow' }
  | { action: 'start_recovery'; attempt: number }
  | { action: 'left_running'; workflowId: string; run: RunState }
  | { action: 'gave_up' };

/**
 * Which workflow, if any, the sweep should start for a stuck transfer. A pending transfer without
 * a workflow gets its own; one past pending without a workflow (its history outlived Temporal's
 * retention) is recovered, since the run that moved it did something the partners must be asked about.
 */
async function decide(
  client: Client,
  transfer: { id: string; status: MiddleStatus },
  own: RunState,
): Promise<Decision> {
  if (own.status === 'running') return { action: 'left_running', workflowId: transfer.id, run: own };
  if (own.status === 'not_found' && transfer.status === 'pending') return { action: 'start_workflow' };
  for (let attempt = 1; attempt <= recoveryRunsMax; attempt += 1) {
    const workflowId = recoveryWorkflowId(transfer.id, attempt);
    const recovery = await describeRun(client, workflowId);
    if (recovery.status === 'not_found') return { action: 'start_recovery', attempt };
    if (recovery.status === 'running') return { action: 'left_running', workflowId, run: recovery };
  }
  return { action: 'gave_up' };
}

export function createStrandedTransferActivities(deps: StrandedTransferDependencies) {
  async function sweepTransfer(
    transfer: { id: string; status: MiddleStatus },
    summary: SweepSummary,
  ): Promise<void> {
    const own = await describeRun(deps.client, transfer.id);
    const record = (action: SweepActionKind, workflowId: string, detail: string | null) =>
      recordSweepAction(deps.db, {
        subjectKind: 'transfer',
        subjectId: transfer.id,
        transferId: transfer.id,
        action,
        workflowId,
        subjectStatus: transfer.status,
        workflowStatus: own.status,
        detail,
      });
    const decision = await decide(deps.client, transfer, own);
    switch (decision.action) {
      case 'start_workflow':
        if (await startTransferIfNeverStarted(deps, transfer.id)) {
          await record('started_workflow', transfer.id, null);
          summary.started.push(transfer.id);
        }
        return;
      case 'start_recovery': {
        const workflowId = recoveryWorkflowId(transfer.id, decision.attempt);
        if (await startTransferRecovery(deps, transfer.id, decision.attempt)) {
          await record('started_recovery', workflowId, null);
          summary.recovered.push(transfer.id);
        }
        return;
      }
      case 'left_running':
        // A run the sweep started itself is recorded as started, even if the sweep that started it
        // died before it could say so; any other is at work, and finance only needs to know once.
        if (decision.run.startedBySweep) {
          await record(
            decision.workflowId === transfer.id ? 'started_workflow' : 'started_recovery',
            decision.workflowId,
            null,
          );
        } else if (await record('left_running', decision.workflowId, null)) {
          log.info('a stuck transfer has a running workflow; left to it', {
            transferId: transfer.id,
            status: transfer.status,
            workflowId: decision.workflowId,
          });
        }
        summary.leftRunning.push(transfer.id);
        return;
      case 'gave_up':
        if (
          await record(
            'gave_up',
            recoveryWorkflowId(transfer.id, recoveryRunsMax),
            `${recoveryRunsMax} recovery runs stopped`,
          )
        ) {
          log.error('a stuck transfer outlived every recovery run; finance must look', {
            transferId: transfer.id,
            status: transfer.status,
          });
        }
        summary.gaveUp.push(transfer.id);
        return;
    }
  }

  async function sweepReversal(reversalId: string, summary: SweepSummary): Promise<void> {
    // Never started, or its run failed before it ended the reversal: what the sweep found is recorded.
    const found = await describeRun(deps.client, reversalId);
    if (!(await startReversalIfNotRunning(deps, reversalId))) return;
    summary.started.push(reversalId);
    const reversal = await findReversal(deps.db, reversalId);
    if (!reversal) return;
    await recordSweepAction(deps.db, {
      subjectKind: 'reversal',
      subjectId: reversalId,
      transferId: reversal.transfer_id,
      action: 'started_workflow',
      workflowId: reversalId,
      subjectStatus: 'pending',
      workflowStatus: found.status,
      detail: null,
    });
  }

  return {
    /** Drives every stuck transfer and stranded reversal untouched for untouchedSeconds; says what it did. */
    async startStrandedTransfers(input: { untouchedSeconds: number }): Promise<SweepSummary> {
      const untouchedSince = new Date(Date.now() - input.untouchedSeconds * 1000);
      const summary: SweepSummary = {
        started: [],
        recovered: [],
        leftRunning: [],
        gaveUp: [],
        expiredHolds: await expireTheftHolds(deps, new Date()),
      };
      // A held transfer never had a workflow: its `transfer.failed` goes out now, not a sweep later.
      for (const transferId of summary.expiredHolds)
        if (await startPendingTransferWebhooks(deps, transferId))
          summary.started.push(transferWebhooksWorkflowId(transferId));
      await forEachPage(
        (afterId) => listStuckTransfers(deps.db, { untouchedSince, afterId, limit: pageSize }),
        (transfer) => sweepTransfer(transfer, summary),
      );
      await forEachPage(
        async (afterId) =>
          (await listStrandedReversalIds(deps.db, { untouchedSince, afterId, limit: pageSize })).map(
            (id) => ({
              id,
            }),
          ),
        ({ id }) => sweepReversal(id, summary),
      );
      // Webhooks of transfers that ended without a workflow (settled in their creating transaction):
      // delivered by a run of their own, unless the transfer's workflow is the one to deliver them.
      const outbox = new Map<string, string[]>();
      await forEachPage(
        (afterId) =>
          listStaleTransferDeliveries(deps.db, { before: untouchedSince, afterId, limit: pageSize }),
        async ({ id, transferId }) => {
          outbox.set(transferId, [...(outbox.get(transferId) ?? []), id]);
        },
      );
      for (const [transferId, deliveryIds] of outbox) {
        if ((await describeRun(deps.client, transferId)).status !== 'not_found') continue;
        if (await startTransferWebhooks(deps, transferId, deliveryIds))
          summary.started.push(transferWebhooksWorkflowId(transferId));
      }
      // Any event whose own run stopped before it was delivered or failed for good: sent again once
      // that run's retries would have ended. A run still sending it then (an ending repeated late, an
      // outbox run started by a later sweep) may send it once more: partners drop an id they have seen,
      // and a delivered status is never overwritten.
      const abandonedBefore = new Date(untouchedSince.getTime() - deps.timeouts.webhookTotalMs);
      await forEachPage(
        (afterId) =>
          listAbandonedDeliveryIds(deps.db, { createdBefore: abandonedBefore, afterId, limit: pageSize }),
        async ({ id }) => {
          if (await startRedelivery(deps, id)) summary.started.push(`${id}:redelivery`);
        },
      );
      // Catalog orders placed by a process that died before starting them: started, as the request
      // would have (their stock and code are held until the order ends); and run again when their run
      // failed before it ended them.
      await forEachPage(
        async (afterId) =>
          (await listStrandedOrderIds(deps.db, { untouchedSince, afterId, limit: pageSize })).map((id) => ({
            id,
          })),
        async ({ id }) => {
          if (await startCatalogOrder(deps, id)) summary.started.push(id);
        },
      );
      // Settlement cycles sealed by a close that stopped before netting them: closed again under their
      // period, as finance's retry of a hand close would (the seal finds the cycle, the netting runs).
      await forEachPage(
        (afterId) => listUnnettedCycles(deps.db, { closedBefore: untouchedSince, afterId, limit: pageSize }),
        async (cycle) => {
          if (cycle.period_label && (await startSettlementClose(deps, cycle.period_label)))
            summary.started.push(cycle.id);
        },
      );
      // Reconciliation runs recorded by a process that died before starting their workflow (or while
      // Temporal was away): started, as the request or the Schedule would have.
      await forEachPage(
        async (afterId) =>
          (
            await listStrandedRunIds(deps.db, { startedBefore: untouchedSince, afterId, limit: pageSize })
          ).map((id) => ({ id })),
        async ({ id }) => {
          if (await startStrandedReconciliationRun(deps, id)) summary.started.push(id);
        },
      );
      // Accruals and their refunds accepted by a process that died before starting them, or while
      // Temporal was unreachable: started, as the request would have; and those whose run failed
      // before it ended them: run again.
      for (const list of [listStrandedAccrualIds, listStrandedAccrualReversalIds]) {
        await forEachPage(
          async (afterId) =>
            (await list(deps.db, { untouchedSince, afterId, limit: pageSize })).map((id) => ({ id })),
          async ({ id }) => {
            if (await startAccrualIfNotRunning(deps, id)) summary.started.push(id);
          },
        );
      }
      return summary;
    },
  };
}

export type StrandedTransferActivities = ReturnType<typeof createStrandedTransferActivities>;
