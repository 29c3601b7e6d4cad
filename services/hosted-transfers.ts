// Transfers between two hosted programmes: both ends live in the gateway's own ledger, so there is no
// second system to wait for and no reason for a two-phase saga. One transaction creates the transfer
// (bound to the request's Idempotency-Key), reserves at the source, credits the target, posts, writes
// the steps a workflow would have written, the obligation and the webhook deliveries, and marks it
// completed; a refusal commits the failed transfer instead, having moved nothing. A retry of the key
// finds the transfer whichever way it ended. The webhooks are an outbox: their delivery is started
// after the answer (services/transfers.ts), and by the stranded-transfer sweep when that could not be
// (workflows/transfer-webhooks-client.ts).
// A transfer held for theft review is created as before and waits for its release (its workflow).
import type { Transaction } from 'kysely';
import { creditProfile, lifeFloor } from '../domain/transfer-expiry-profiles.ts';
import { recordTransferFinished } from '../runtime/metrics.ts';
import type { Database, Transfer } from '../store/database.ts';
import {
  type DirectTransferAccounts,
  directTransferAccounts,
  quotePrograms,
  recordDirectSteps,
  settleDirectTransfer,
} from '../store/hosted-ledger/direct-transfer.ts';
import { findTransferMinRemainingLife } from '../store/transfer-expiry-profiles.ts';
import {
  completeTransferInTransaction,
  failTransferInTransaction,
  recordTransferStep,
} from '../store/transfers.ts';
import type { ServiceContext } from './context.ts';

interface Created {
  transfer: Transfer;
  created: boolean;
}

/** What the transfer use case runs instead of its plain transaction, given its creation. */
export type DirectSettlement = <T extends Created>(
  create: (trx: Transaction<Database>) => Promise<T>,
) => Promise<T>;

/** Deadlocks (two members' opposite transfers) and serialization failures: the whole transaction is retried. */
const retriedCodes = new Set(['40P01', '40001']);
const attemptsMax = 3;

/**
 * The settlement of a request whose two programmes are both hosted, or null (the transfer keeps its
 * workflow). The programme accounts it needs are opened here, before any money transaction.
 */
export async function directSettlement(
  deps: ServiceContext,
  request: { quoteId: string } | { sourceProgramId: string; targetProgramId: string },
): Promise<DirectSettlement | null> {
  const pair = 'quoteId' in request ? await quotePrograms(deps.db, request.quoteId) : request;
  if (!pair) return null;
  const [source, target] = await Promise.all([
    deps.programs.find(deps.db, pair.sourceProgramId),
    deps.programs.find(deps.db, pair.targetProgramId),
  ]);
  if (source?.ledger !== 'hosted' || target?.ledger !== 'hosted') return null;
  const accounts = await directTransferAccounts(
    deps.db,
    deps.ledgerAccounts,
    pair.sourceProgramId,
    pair.targetProgramId,
  );
  return async (create) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const settled = await deps.db.transaction().execute(async (trx) => {
          const started = await create(trx);
          // Found (an earlier run, or the quote's transfer) or held: nothing to settle here.
          if (!started.created || started.transfer.status !== 'pending') return started;
          const status = await settleInTransaction(trx, deps, started.transfer, accounts);
          return { ...started, transfer: { ...started.transfer, status } };
        });
        const { transfer } = settled;
        if (transfer.status === 'completed' || transfer.status === 'failed')
          recordTransferFinished({
            outcome: transfer.status,
            sourceProgramId: transfer.source_program_id,
            targetProgramId: transfer.target_program_id,
            debitPoints: transfer.debit_points,
            creditPoints: transfer.credit_points,
          });
        return settled;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (attempt >= attemptsMax || code === undefined || !retriedCodes.has(code)) throw error;
      }
    }
  };
}

/** The ledger's moves and the transfer's bookkeeping, in the transaction that created it. */
async function settleInTransaction(
  trx: Transaction<Database>,
  deps: ServiceContext,
  transfer: Transfer,
  accounts: DirectTransferAccounts,
): Promise<'completed' | 'failed'> {
  const outcome = await settleDirectTransfer(trx, deps.ledgerAccounts, {
    transferId: transfer.id,
    source: {
      programId: transfer.source_program_id,
      accountRef: transfer.source_account_ref,
      points: transfer.debit_points,
    },
    target: {
      programId: transfer.target_program_id,
      accountRef: transfer.target_account_ref,
      points: transfer.credit_points,
    },
    now: new Date(),
    accounts,
    // As the workflow's credit: the expiry of what paid, lifted to the agreement's minimum life. A
    // floor lifts only points that expire, so points that never do need no read of the agreement.
    creditExpiry: async (paidWith) =>
      creditProfile(
        paidWith,
        transfer.credit_points,
        paidWith.some((portion) => portion.expiresAt !== null)
          ? lifeFloor(transfer.created_at, await findTransferMinRemainingLife(trx, transfer.id))
          : null,
      ),
  });
  if (outcome.outcome === 'refused') {
    await recordTransferStep(trx, {
      transferId: transfer.id,
      step: 'reserve',
      outcome: 'refused',
      detail: `${outcome.code}: ${outcome.detail}`,
    });
    await failTransferInTransaction(trx, {
      transferId: transfer.id,
      code: outcome.code,
      detail: outcome.detail || outcome.code,
    });
    return 'failed';
  }
  await recordDirectSteps(trx, transfer.id, outcome.paidWith);
  await completeTransferInTransaction(trx, transfer.id);
  return 'completed';
}
