// The transfer use case: price (inline) or take a quote, create the transfer bound to the request's
// Idempotency-Key, start its workflow, and say what to answer; read and list transfers. The API
// calls it; so will the console. A run of the same key after a crash finds the transfer the first
// run created and carries on with it, so one key never moves a member's points twice.
import type { Transaction } from 'kysely';
import { requireTransferConsent, requireTransferRequester } from '../domain/consent.ts';
import { ProblemError } from '../domain/errors.ts';
import { requireWithinExposureCap } from '../domain/exposure.ts';
import { requireWithinDailyCap } from '../domain/quote.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Database, MemberLink, Transfer, TransferStep } from '../store/database.ts';
import { lockAndReadExposure } from '../store/exposure.ts';
import { bindIdempotencyEffect } from '../store/idempotency.ts';
import { newId } from '../store/ids.ts';
import { lockSourceLinkReadTarget } from '../store/members.ts';
import { ownsEither } from '../store/programs.ts';
import { debitedTodaySourcePoints, insertQuote, type PricedQuote } from '../store/quotes.ts';
import {
  findTransfer,
  findTransferWithSteps,
  insertTransfer,
  listPartnerTransfers,
  listStepsOfTransfers,
  lockQuote,
  transferParties,
} from '../store/transfers.ts';
import type { ServiceContext } from './context.ts';
import { directSettlement } from './hosted-transfers.ts';
import { priceQuote, type QuotePolicy } from './quotes.ts';
import { assessTheftRisk, mayStart, recordHold, type TransferWithHold, withHolds } from './theft-holds.ts';

/** Starts the transfer's workflow, or finds it running, and waits a short while for its outcome. */
export type TransferStarter = (transferId: string) => Promise<unknown>;

/**
 * Starts the delivery of the webhooks a transfer settled in its creating transaction left in the
 * outbox (workflows/transfer-webhooks-client.ts); the stranded-transfer sweep does it when this cannot.
 */
export type TransferWebhooksStarter = (transferId: string) => Promise<unknown>;

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

export interface TransferWithSteps {
  transfer: Transfer;
  steps: TransferStep[];
}

export interface TransferReply extends TransferWithHold {
  /** created: this key made it (now or in a run that died); existing: its quote started it before. */
  disposition: 'created' | 'existing';
  finished: boolean;
}

export interface TransferDependencies extends ServiceContext {
  startTransfer: TransferStarter;
  /** Absent: a settled transfer's webhooks wait for the sweep. */
  startWebhooks?: TransferWebhooksStarter;
  policy: QuotePolicy;
  logger: Logger;
}

export interface StartedTransfer {
  transfer: Transfer;
  created: boolean;
}

/** A quote made earlier, or one priced for this request and stored with its transfer. */
type TransferQuote = { quoteId: string } | { pricedQuote: PricedQuote };

/** Another run of the same key created its transfer first; this run's writes are rolled back. */
class KeyAlreadyBound extends Error {
  readonly transferId: string;
  constructor(transferId: string) {
    super(`the Idempotency-Key already created transfer ${transferId}`);
    this.transferId = transferId;
  }
}

/** Both ends' links, the source's locked, each required with the member's consent to transfers. */
async function requireTransferLinks(
  trx: Transaction<Database>,
  quote: { member_id: string; source_program_id: string; target_program_id: string },
) {
  const links = await lockSourceLinkReadTarget(trx, {
    memberId: quote.member_id,
    sourceProgramId: quote.source_program_id,
    targetProgramId: quote.target_program_id,
  });
  const required = (link: MemberLink | undefined, programId: string, field: string) => {
    requireTransferConsent(link && { consentScopes: link.consent_scopes }, {
      memberId: quote.member_id,
      programId,
      field,
    });
    if (!link) throw new Error('requireTransferConsent let a missing link through');
    return link;
  };
  return {
    sourceLink: required(links.source, quote.source_program_id, 'sourceProgramId'),
    targetLink: required(links.target, quote.target_program_id, 'targetProgramId'),
  };
}

/** Everything a transfer's creation checks and writes, in one transaction. */
async function createInTransaction(
  trx: Transaction<Database>,
  input: {
    partnerId: string;
    quote: TransferQuote;
    idempotency: { principal: string; key: string };
    now: Date;
    /** The cap of a link in cooling-off (the quote's cap is the link's as it was when priced). */
    coolingOffCapSourcePoints: bigint;
  },
): Promise<StartedTransfer> {
  const transferId = newId('trf');
  // A quote priced for this request is written already spent by the transfer: no other transaction
  // can see it before this one commits, so there is nothing to lock or re-read.
  const priced = 'pricedQuote' in input.quote ? input.quote.pricedQuote : null;
  if (priced) await insertQuote(trx, { ...priced, used_by_transfer_id: transferId }, input.now);
  const quoteId = 'pricedQuote' in input.quote ? input.quote.pricedQuote.id : input.quote.quoteId;
  // `priced` itself still says unused: this request's own quote is never "already used" below.
  const quote = priced ?? (await lockQuote(trx, quoteId));
  // A price quote of a catalog item buys the item (POST /v1/catalog/orders); it never moves points.
  if (!quote || quote.requested_by !== input.partnerId || quote.item_id !== null) {
    throw new ProblemError('not_found', `Quote ${quoteId} does not exist.`, [
      { field: 'quoteId', message: 'unknown quote' },
    ]);
  }
  if (quote.used_by_transfer_id !== null) {
    const existing = await findTransfer(trx, quote.used_by_transfer_id);
    if (!existing) throw new Error(`quote ${quote.id} names a transfer that does not exist`);
    return { transfer: existing, created: false };
  }
  if (quote.expires_at <= input.now) {
    throw new ProblemError(
      'quote_expired',
      `Quote ${quote.id} expired at ${quote.expires_at.toISOString()}; ask for a new one.`,
      [{ field: 'quoteId', message: 'expired' }],
    );
  }
  // Links may have been revoked since the quote; both ends must still be linked now, and a pull
  // still allowed by the member's consent at the source. The source's link stays locked, so this
  // member's transfers out of the programme are created one at a time and the daily cap counts each.
  const { sourceLink, targetLink } = await requireTransferLinks(trx, quote);
  const parties = await transferParties(trx, {
    sourceProgramId: quote.source_program_id,
    targetProgramId: quote.target_program_id,
    currency: quote.currency,
  });
  // A quote priced before its partner was suspended moves nothing after: checked again now, as the
  // quote checked it then.
  for (const [active, programId, field] of [
    [parties.sourcePartnerActive, quote.source_program_id, 'sourceProgramId'],
    [parties.targetPartnerActive, quote.target_program_id, 'targetProgramId'],
  ] as const) {
    if (!active) {
      throw new ProblemError(
        'counterparty_suspended',
        `The partner of programme ${programId} is suspended; no points move to or from it.`,
        [{ field, message: 'the partner is suspended' }],
      );
    }
  }
  requireTransferRequester({
    requesterPartnerId: input.partnerId,
    sourcePartnerId: parties.sourcePartnerId,
    targetPartnerId: parties.targetPartnerId,
    sourceConsentScopes: sourceLink.consent_scopes,
  });
  requireWithinDailyCap({
    debitedTodaySourcePoints: await debitedTodaySourcePoints(
      trx,
      quote.member_id,
      quote.source_program_id,
      input.now,
    ),
    debitPoints: quote.debit_points,
    // The quote's cap, unless the source link is now in cooling-off with a lower one (revoked and made
    // again since the quote was priced), as a quote priced now would say.
    ...(sourceLink.cooling_off_until > input.now &&
    input.coolingOffCapSourcePoints <= quote.daily_cap_source_points
      ? { capSourcePoints: input.coolingOffCapSourcePoints, coolingOff: true }
      : { capSourcePoints: quote.daily_cap_source_points, coolingOff: false }),
  });
  // Under the partner's exposure lock (after the link's: always in this order), when it has a cap.
  const { sourcePartnerId, sourceCapMinor } = parties;
  if (sourceCapMinor !== null) {
    requireWithinExposureCap({
      partnerId: sourcePartnerId,
      currency: quote.currency,
      exposureMinor: await lockAndReadExposure(trx, { partnerId: sourcePartnerId, currency: quote.currency }),
      addedMinor: quote.settlement_amount_minor + quote.fee_amount_minor,
      capMinor: sourceCapMinor,
    });
  }
  // Scored last, once every rule that refuses has passed: a hold is for a transfer that would go.
  const hold = await assessTheftRisk(trx, {
    sourceLink,
    targetLink,
    debitPoints: quote.debit_points,
    now: input.now,
  });
  const boundTo = await bindIdempotencyEffect(trx, { ...input.idempotency, effectId: transferId });
  if (boundTo !== transferId) throw new KeyAlreadyBound(boundTo);
  const transfer = await insertTransfer(trx, {
    quoteSpent: priced !== null,
    id: transferId,
    quote_id: quote.id,
    requested_by: input.partnerId,
    member_id: quote.member_id,
    source_program_id: quote.source_program_id,
    target_program_id: quote.target_program_id,
    source_account_ref: sourceLink.account_ref,
    target_account_ref: targetLink.account_ref,
    debit_points: quote.debit_points,
    credit_points: quote.credit_points,
    status: hold ? 'held' : 'pending',
  });
  if (hold) await recordHold(trx, transferId, hold);
  return { transfer, created: true };
}

/**
 * Creates the transfer the request asks for, bound to its key, or finds the one that key or quote
 * already made; starts nothing (requestTransfer does, and the sweep does when nobody could).
 */
export async function createTransfer(
  deps: ServiceContext & Pick<TransferDependencies, 'policy'>,
  input: RequestTransferInput,
): Promise<StartedTransfer> {
  const { idempotency, request, partnerId, now } = input;
  if (idempotency.effectId) {
    const transfer = await findTransfer(deps.db, idempotency.effectId);
    if (transfer) return { transfer, created: true };
  }
  const quote: TransferQuote =
    'quoteId' in request
      ? { quoteId: request.quoteId }
      : {
          pricedQuote: await priceQuote(deps, deps.policy, {
            partnerId,
            memberId: request.memberId,
            sourceProgramId: request.sourceProgramId,
            targetProgramId: request.targetProgramId,
            amount: { sourcePoints: request.sourcePoints },
            now,
          }),
        };
  // Between two hosted programmes the transfer is settled in its creating transaction (no workflow).
  const direct = await directSettlement(
    deps,
    'pricedQuote' in quote
      ? {
          sourceProgramId: quote.pricedQuote.source_program_id,
          targetProgramId: quote.pricedQuote.target_program_id,
        }
      : quote,
  );
  const create = (trx: Transaction<Database>) =>
    createInTransaction(trx, {
      partnerId,
      quote,
      idempotency,
      now,
      coolingOffCapSourcePoints: deps.policy.coolingOffCapSourcePoints,
    });
  try {
    return await (direct ? direct(create) : deps.db.transaction().execute(create));
  } catch (error) {
    if (!(error instanceof KeyAlreadyBound)) throw error;
    const transfer = await findTransfer(deps.db, error.transferId);
    if (!transfer) throw new Error(`transfer ${error.transferId} bound to a key does not exist`);
    return { transfer, created: true };
  }
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
  const { transfer, created } = await createTransfer(deps, input);
  try {
    // A held transfer moves nothing until its source partner releases it (services/theft-holds.ts).
    // A transfer already ended (settled in its creating transaction) has nothing left to run.
    if (mayStart(transfer) && !['completed', 'failed'].includes(transfer.status))
      await deps.startTransfer(transfer.id);
  } catch (error) {
    deps.logger.warn(
      { err: error, transferId: transfer.id },
      'could not start the transfer workflow now; the stranded transfer sweep will start it',
    );
  }
  // Settled in its creating transaction (two hosted programmes): its webhooks leave now, not at the
  // next sweep. Not awaited: the member's answer does not wait on Temporal, and the outbox row
  // stays until delivered, so the sweep finishes what this could not start.
  if (created && deps.startWebhooks && ['completed', 'failed'].includes(transfer.status)) {
    deps
      .startWebhooks(transfer.id)
      .catch((error: unknown) =>
        deps.logger.warn(
          { err: error, transferId: transfer.id },
          'could not start the webhook delivery now; the stranded transfer sweep will start it',
        ),
      );
  }
  // The workflow has moved the transfer on meanwhile: its row and steps, read once, are the reply.
  const found = await findTransferWithSteps(deps.db, transfer.id);
  if (!found) throw new Error(`transfer ${transfer.id} vanished after it was created`);
  const [current] = await withHolds(deps, [found]);
  if (!current) throw new Error('withHolds returned no transfer');
  return {
    ...current,
    disposition: created ? 'created' : 'existing',
    finished: ['completed', 'failed', 'needs_attention'].includes(current.transfer.status),
  };
}

/** A transfer, to the partner that asked for it or owns either of its programmes; else not found. */
export async function readTransfer(
  context: ServiceContext,
  partnerId: string,
  transferId: string,
): Promise<TransferWithHold> {
  const { db } = context;
  const found = await findTransferWithSteps(db, transferId);
  const visible =
    found &&
    (found.transfer.requested_by === partnerId ||
      (await ownsEither(db, partnerId, [
        found.transfer.source_program_id,
        found.transfer.target_program_id,
      ])));
  if (!visible) throw new ProblemError('not_found', `Transfer ${transferId} does not exist.`);
  const [withHold] = await withHolds(context, [found]);
  if (!withHold) throw new Error('withHolds returned no transfer');
  return withHold;
}

/** A partner's transfers (as either end, or as requester), newest first, with their steps. */
export async function listTransfers(
  context: ServiceContext,
  input: { partnerId: string; cursor: string | null; limit: number },
): Promise<TransferWithHold[]> {
  const { db } = context;
  const transfers = await listPartnerTransfers(db, input);
  const steps = await listStepsOfTransfers(
    db,
    transfers.map((transfer) => transfer.id),
  );
  return withHolds(
    context,
    transfers.map((transfer) => ({ transfer, steps: steps.get(transfer.id) ?? [] })),
  );
}
