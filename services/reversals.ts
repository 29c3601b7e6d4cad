// The reversal use case: a source partner (or finance) reverses a completed transfer, wholly or in
// part. The reversal's figures are fixed under a lock on the transfer, so concurrent reversals are
// counted one after another and never exceed it; its creation and the request's Idempotency-Key
// commit together, so a retry after a crash finds the reversal its first run created. Then its
// workflow is started (or, when Temporal is unreachable, the stranded sweep starts it).
import { ProblemError } from '../domain/errors.ts';
import { planReversal } from '../domain/reversal.ts';
import type { Logger } from '../runtime/logger.ts';
import type { TransferReversal } from '../store/database.ts';
import { bindIdempotencyEffect } from '../store/idempotency.ts';
import { newId } from '../store/ids.ts';
import {
  countedReversals,
  findReversal,
  insertReversal,
  listReversals,
  lockReversibleTransfer,
} from '../store/reversals.ts';
import type { ServiceContext } from './context.ts';
import { readTransfer } from './transfers.ts';

/** Starts the reversal's workflow, or finds it running, and waits a short while for its outcome. */
export type ReversalStarter = (reversalId: string) => Promise<unknown>;

/** Who asks: the transfer's source partner, or the alliance's finance team. */
export type ReversalRequester = { kind: 'partner'; partnerId: string } | { kind: 'finance' };

export interface ReversalDependencies extends ServiceContext {
  startReversal: ReversalStarter;
  logger: Logger;
}

export interface ReversalReply {
  reversal: TransferReversal;
  finished: boolean;
}

/** Another run of the same key created its reversal first; this run's writes are rolled back. */
class KeyAlreadyBound extends Error {
  readonly reversalId: string;
  constructor(reversalId: string) {
    super(`the Idempotency-Key already created reversal ${reversalId}`);
    this.reversalId = reversalId;
  }
}

async function createReversal(
  { db }: ServiceContext,
  input: {
    requester: ReversalRequester;
    transferId: string;
    sourcePoints: bigint | null;
    reason: string;
    idempotency: { principal: string; key: string };
  },
): Promise<TransferReversal> {
  return db.transaction().execute(async (trx) => {
    const found = await lockReversibleTransfer(trx, input.transferId);
    const { requester } = input;
    const isSource = requester.kind === 'finance' || found?.sourcePartnerId === requester.partnerId;
    if (
      !found ||
      (!isSource &&
        found.targetPartnerId !== requester.partnerId &&
        found.transfer.requested_by !== requester.partnerId)
    ) {
      throw new ProblemError('not_found', `Transfer ${input.transferId} does not exist.`);
    }
    if (!isSource) {
      throw new ProblemError(
        'forbidden',
        'Only the source partner or the alliance finance team reverses a transfer.',
      );
    }
    if (found.transfer.status !== 'completed') {
      throw new ProblemError(
        'transfer_not_completed',
        `Transfer ${input.transferId} is ${found.transfer.status}; only a completed transfer can be reversed.`,
      );
    }
    const plan = planReversal({
      transfer: found.figures,
      earlier: await countedReversals(trx, input.transferId),
      sourcePoints: input.sourcePoints,
    });
    const reversalId = newId('rvs');
    const boundTo = await bindIdempotencyEffect(trx, { ...input.idempotency, effectId: reversalId });
    if (boundTo !== reversalId) throw new KeyAlreadyBound(boundTo);
    return insertReversal(trx, {
      id: reversalId,
      transferId: input.transferId,
      requestedBy: requester.kind === 'finance' ? 'finance' : requester.partnerId,
      reason: input.reason,
      plan,
      currency: found.currency,
      shortfallPayer: found.shortfallPayer,
    });
  });
}

/** Creates the reversal (or finds the one this key created) and starts its workflow. */
export async function requestReversal(
  deps: ReversalDependencies,
  input: {
    requester: ReversalRequester;
    transferId: string;
    sourcePoints: bigint | null;
    reason: string;
    /** The claimed key; effectId is the reversal an earlier run of it created, if any. */
    idempotency: { principal: string; key: string; effectId: string | null };
  },
): Promise<ReversalReply> {
  let reversal = input.idempotency.effectId
    ? await findReversal(deps.db, input.idempotency.effectId)
    : undefined;
  if (!reversal) {
    try {
      reversal = await createReversal(deps, input);
    } catch (error) {
      if (!(error instanceof KeyAlreadyBound)) throw error;
      reversal = await findReversal(deps.db, error.reversalId);
      if (!reversal) throw new Error(`reversal ${error.reversalId} bound to a key does not exist`);
    }
  }
  try {
    await deps.startReversal(reversal.id);
  } catch (error) {
    deps.logger.warn(
      { err: error, reversalId: reversal.id },
      'could not start the reversal workflow now; the stranded sweep will start it',
    );
  }
  const current = await findReversal(deps.db, reversal.id);
  if (!current) throw new Error(`reversal ${reversal.id} vanished after it was created`);
  return { reversal: current, finished: ['completed', 'failed', 'needs_attention'].includes(current.status) };
}

/** A reversal, to finance or to a partner that may see its transfer; else not found. */
export async function readReversal(
  context: ServiceContext,
  viewer: ReversalRequester,
  reversalId: string,
): Promise<TransferReversal> {
  const reversal = await findReversal(context.db, reversalId);
  if (!reversal) throw new ProblemError('not_found', `Reversal ${reversalId} does not exist.`);
  if (viewer.kind === 'partner') {
    await readTransfer(context, viewer.partnerId, reversal.transfer_id).catch((error: unknown) => {
      throw error instanceof ProblemError
        ? new ProblemError('not_found', `Reversal ${reversalId} does not exist.`)
        : error;
    });
  }
  return reversal;
}

/** A transfer's reversals, oldest first, to a partner that may see the transfer. */
export async function listTransferReversals(
  context: ServiceContext,
  partnerId: string,
  transferId: string,
): Promise<TransferReversal[]> {
  await readTransfer(context, partnerId, transferId);
  return listReversals(context.db, transferId);
}
