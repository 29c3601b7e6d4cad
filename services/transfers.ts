// The transfer use case: price (inline) or take a quote, create the transfer bound to the request's
// Idempotency-Key, start its workflow, and say what to answer. The API calls it; so will the console.
// A run of the same key after a crash finds the transfer the first run created and carries on with
// it, so one key never moves a member's points twice.
import type { Kysely } from 'kysely';
import type { Logger } from '../runtime/logger.ts';
import type { Database, Transfer, TransferStep } from '../store/database.ts';
import { priceQuote } from '../store/quotes.ts';
import { createTransfer, findTransfer, listTransferSteps, type StartedTransfer } from '../store/transfers.ts';

/** Starts the transfer's workflow, or finds it running, and waits a short while for its outcome. */
export type TransferStarter = (transferId: string) => Promise<unknown>;

export interface TransferPolicy {
  quoteLifetimeSeconds: number;
  coolingOffCapSourcePoints: bigint;
}

export type TransferRequest =
  | { quoteId: string }
  | { memberId: string; sourceProgramId: string; targetProgramId: string; sourcePoints: bigint };

export interface RequestTransferInput {
  partnerId: string;
  request: TransferRequest;
  /** The claimed key; effectId is the transfer an earlier run of it created, if any. */
  idempotency: { principal: string; key: string; effectId: string | null };
  now: Date;
}

export interface TransferReply {
  transfer: Transfer;
  steps: TransferStep[];
  /** created: this key made it (now or in a run that died); existing: its quote started it before. */
  disposition: 'created' | 'existing';
  finished: boolean;
}

export interface TransferDependencies {
  db: Kysely<Database>;
  startTransfer: TransferStarter;
  policy: TransferPolicy;
  logger: Logger;
}

async function createOrFind(
  deps: TransferDependencies,
  input: RequestTransferInput,
): Promise<StartedTransfer> {
  const { idempotency, request, partnerId, now } = input;
  if (idempotency.effectId) {
    const transfer = await findTransfer(deps.db, idempotency.effectId);
    if (transfer) return { transfer, created: true };
  }
  const quote =
    'quoteId' in request
      ? { quoteId: request.quoteId }
      : {
          pricedQuote: await priceQuote(deps.db, {
            partnerId,
            memberId: request.memberId,
            sourceProgramId: request.sourceProgramId,
            targetProgramId: request.targetProgramId,
            amount: { sourcePoints: request.sourcePoints },
            now,
            lifetimeSeconds: deps.policy.quoteLifetimeSeconds,
            coolingOffCapSourcePoints: deps.policy.coolingOffCapSourcePoints,
          }),
        };
  return createTransfer(deps.db, { partnerId, quote, idempotency, now });
}

/**
 * Creates (or finds) the transfer and starts its workflow. When the workflow cannot be started
 * (Temporal unreachable), the transfer is still accepted: it answers pending, and the stranded
 * transfer sweep starts it within a couple of minutes, without the caller having to retry.
 */
export async function requestTransfer(
  deps: TransferDependencies,
  input: RequestTransferInput,
): Promise<TransferReply> {
  const { transfer, created } = await createOrFind(deps, input);
  try {
    await deps.startTransfer(transfer.id);
  } catch (error) {
    deps.logger.warn(
      { err: error, transferId: transfer.id },
      'could not start the transfer workflow now; the stranded transfer sweep will start it',
    );
  }
  const [current, steps] = await Promise.all([
    findTransfer(deps.db, transfer.id),
    listTransferSteps(deps.db, transfer.id),
  ]);
  const latest = current ?? transfer;
  return {
    transfer: latest,
    steps,
    disposition: created ? 'created' : 'existing',
    finished: ['completed', 'failed', 'needs_attention'].includes(latest.status),
  };
}
