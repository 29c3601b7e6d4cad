// The theft-hold use case (积分盗刷): a programme's partner sets which signals count and its
// threshold; a transfer out of the programme that reaches it is created held, moving nothing; the
// partner releases it (it starts like any transfer) or cancels it (it fails), and a hold nobody acts
// on expires (the stranded-transfer sweep fails it). Transfers call assessTheftRisk when they create.
import type { Transaction } from 'kysely';
import { requireTransferConsent } from '../domain/consent.ts';
import { ProblemError } from '../domain/errors.ts';
import {
  assessTheft,
  lookbackSeconds,
  type TheftAssessment,
  type TheftPolicy,
} from '../domain/theft-signals.ts';
import type { Logger } from '../runtime/logger.ts';
import { campaignsRunning } from '../store/campaigns.ts';
import type { Database, MemberLink, Transfer, TransferHoldStatus, TransferStep } from '../store/database.ts';
import { lockBothLinks } from '../store/members.ts';
import { findProgram, ownsEither } from '../store/programs.ts';
import { findQuote } from '../store/quotes.ts';
import { versionInForce, versionInForceQuery } from '../store/rate-agreements.ts';
import {
  cancelHold,
  deleteTheftPolicy,
  expireHolds,
  findHold,
  holdFailureCodes,
  holdsOfTransfers,
  insertHold,
  listPartnerHolds,
  readMemberActivity,
  readTheftPolicy,
  releaseHold,
  setTheftPolicy,
  type TransferHold,
} from '../store/theft-holds.ts';
import { inTransaction } from '../store/transaction.ts';
import { findTransfer, findTransferWithSteps } from '../store/transfers.ts';
import type { ServiceContext } from './context.ts';
import { requireActivePartner, requireOwnProgram } from './programs.ts';

/** Starts (or finds) a transfer's workflow: services/transfers.ts TransferStarter. */
type TransferStarter = (transferId: string) => Promise<unknown>;

interface TransferWithSteps {
  transfer: Transfer;
  steps: TransferStep[];
}

/** A transfer about to be created that its source programme's policy holds. */
export interface HoldDecision {
  programId: string;
  assessment: TheftAssessment;
  expiresAt: Date;
}

/**
 * Scores the member's recent activity against the source programme's policy, inside the transfer's
 * creation (after the member's link is locked, so the member's transfers out of that programme are
 * counted one after another). Null when the programme has no policy or the score stays under it.
 */
export async function assessTheftRisk(
  trx: Transaction<Database>,
  input: { sourceLink: MemberLink; targetLink: MemberLink; debitPoints: bigint; now: Date },
): Promise<HoldDecision | null> {
  const { sourceLink, targetLink, now } = input;
  const policy = await readTheftPolicy(trx, sourceLink.program_id);
  if (!policy) return null;
  const activity = await readMemberActivity(trx, {
    memberId: sourceLink.member_id,
    sourceProgramId: sourceLink.program_id,
    sourceAccountRef: sourceLink.account_ref,
    since: new Date(now.getTime() - lookbackSeconds(policy) * 1000),
  });
  const assessment = assessTheft(
    policy,
    { ...activity, sourceLinkedAt: sourceLink.linked_at, targetLinkedAt: targetLink.linked_at },
    { debitPoints: input.debitPoints, at: now },
  );
  if (!assessment.held) return null;
  return {
    programId: sourceLink.program_id,
    assessment,
    expiresAt: new Date(now.getTime() + policy.holdExpirySeconds * 1000),
  };
}

/** Writes the hold of a transfer just created held, in the same transaction. */
export async function recordHold(
  trx: Transaction<Database>,
  transferId: string,
  decision: HoldDecision,
): Promise<TransferHold> {
  return insertHold(trx, { transferId, ...decision });
}

const holdEndings: ReadonlySet<string | null> = new Set(Object.values(holdFailureCodes));

/** Whether the transfer's workflow may start: not while held, never after a hold ended it. */
export function mayStart(transfer: Pick<Transfer, 'status' | 'failure_code'>): boolean {
  return (
    transfer.status !== 'held' && !(transfer.status === 'failed' && holdEndings.has(transfer.failure_code))
  );
}

export type TransferWithHold = TransferWithSteps & { hold: TransferHold | null };

/** The holds of transfers read for a reply, in one query. */
export async function withHolds(
  { db }: ServiceContext,
  transfers: TransferWithSteps[],
): Promise<TransferWithHold[]> {
  // Only a transfer that was held has a hold, and its steps say so: no query for the others.
  const holds = await holdsOfTransfers(
    db,
    transfers
      .filter(({ steps }) => steps.some((step) => step.step === 'held'))
      .map(({ transfer }) => transfer.id),
  );
  return transfers.map((item) => ({ ...item, hold: holds.get(item.transfer.id) ?? null }));
}

/** The transfer and its hold, read by the partner owning the source programme; others may not decide. */
async function requireDecider(
  context: ServiceContext,
  partnerId: string,
  transferId: string,
): Promise<{ hold: TransferHold }> {
  const transfer = await findTransfer(context.db, transferId);
  const owner = transfer && (await ownsEither(context.db, partnerId, [transfer.source_program_id]));
  if (!transfer || !owner) {
    const visible =
      transfer &&
      (transfer.requested_by === partnerId ||
        (await ownsEither(context.db, partnerId, [transfer.target_program_id])));
    if (visible) {
      throw new ProblemError('forbidden', 'Only the partner owning the source programme decides a hold.');
    }
    throw new ProblemError('not_found', `Transfer ${transferId} does not exist.`);
  }
  const hold = await findHold(context.db, transferId);
  if (!hold) throw new ProblemError('transfer_not_held', `Transfer ${transferId} was never held.`);
  return { hold };
}

async function currentTransfer(context: ServiceContext, transferId: string): Promise<TransferWithHold> {
  const found = await findTransferWithSteps(context.db, transferId);
  if (!found) throw new Error(`transfer ${transferId} vanished`);
  return { ...found, hold: (await findHold(context.db, transferId)) ?? null };
}

function notOpen(hold: TransferHold, wanted: 'release' | 'cancel', now: Date): ProblemError {
  const state = hold.status === 'held' && hold.expiresAt <= now ? 'expired' : hold.status;
  return new ProblemError(
    'transfer_not_held',
    `The hold of transfer ${hold.transferId} is ${state}; it cannot be ${wanted === 'release' ? 'released' : 'cancelled'}.`,
  );
}

/**
 * What a transfer's creation checked, checked again at its release: the accounts it will debit and
 * credit are still the member's, through active links with transfer consent (a member who revoked
 * the new link while it was held has answered the question, even if another account was linked
 * since: the transfer would still credit the one it named), and neither partner is suspended. Both
 * links stay locked until the release commits: a revocation of the new link, the answer a hold waits
 * for, must not commit unseen beside the release.
 */
async function requireStillMovable(trx: Transaction<Database>, transfer: Transfer): Promise<void> {
  const links = await lockBothLinks(trx, {
    memberId: transfer.member_id,
    sourceProgramId: transfer.source_program_id,
    targetProgramId: transfer.target_program_id,
  });
  for (const [link, accountRef, programId, field] of [
    [links.source, transfer.source_account_ref, transfer.source_program_id, 'sourceProgramId'],
    [links.target, transfer.target_account_ref, transfer.target_program_id, 'targetProgramId'],
  ] as const) {
    requireTransferConsent(
      link?.account_ref === accountRef ? { consentScopes: link.consent_scopes } : undefined,
      {
        memberId: transfer.member_id,
        programId,
        field,
      },
    );
  }
  for (const [programId, field] of [
    [transfer.source_program_id, 'sourceProgramId'],
    [transfer.target_program_id, 'targetProgramId'],
  ] as const) {
    const program = await findProgram(trx, programId);
    if (!program) throw new Error(`programme ${programId} vanished`);
    requireActivePartner(program, field);
  }
}

/**
 * The terms the held transfer was priced at are still in force: the agreement version, and every
 * programme campaign that raised its credit. A hold may last days, and released on terms since
 * replaced it would give the deciding partner an option on its counterparty's price (hold, then
 * release when the old price suits it): the member is asked to quote again instead.
 */
async function requireTermsStillInForce(trx: Transaction<Database>, transfer: Transfer, now: Date) {
  const quote = await findQuote(trx, transfer.quote_id);
  if (!quote) throw new Error(`transfer ${transfer.id} names a quote that does not exist`);
  const { source_program_id: source, target_program_id: target } = transfer;
  const version = versionInForce(
    await versionInForceQuery(trx, source, target, now).executeTakeFirst(),
    source,
    target,
    now,
  );
  const campaignIds = (quote.modifiers as { kind: string; campaignId?: string }[]).flatMap((modifier) =>
    modifier.kind === 'programme_campaign' && modifier.campaignId ? [modifier.campaignId] : [],
  );
  const running = await campaignsRunning(trx, campaignIds, now);
  if (
    version?.agreementId !== quote.agreement_id ||
    version.version !== quote.agreement_version ||
    running.length !== campaignIds.length
  ) {
    throw new ProblemError(
      'hold_terms_changed',
      `The terms transfer ${transfer.id} was priced at (agreement version ${quote.agreement_version}${campaignIds.length > 0 ? ' and its campaigns' : ''}) are no longer in force; cancel the hold and have the member quote again.`,
      [{ field: 'transferId', message: 'priced at terms no longer in force' }],
    );
  }
}

/**
 * Releases a held transfer and starts it. Both of its links must still be active (a member who
 * revoked the new link while it was held has answered the question). A repeat finds it released
 * and starts or finds its workflow again; a transfer whose start failed is started by the sweep.
 */
export async function releaseTransferHold(
  context: ServiceContext & { startTransfer: TransferStarter; logger: Logger },
  input: { partnerId: string; transferId: string; now: Date },
): Promise<TransferWithHold> {
  const { hold } = await requireDecider(context, input.partnerId, input.transferId);
  if (hold.status !== 'released') {
    await inTransaction(context.db, async (trx) => {
      const { transfer } = (await findTransferWithSteps(trx, input.transferId)) ?? {};
      if (!transfer) throw new Error(`transfer ${input.transferId} vanished`);
      await requireStillMovable(trx, transfer);
      await requireTermsStillInForce(trx, transfer, input.now);
      if (!(await releaseHold(trx, input))) {
        const now = (await findHold(trx, input.transferId)) ?? hold;
        if (now.status !== 'released') throw notOpen(now, 'release', input.now);
      }
    });
  }
  try {
    await context.startTransfer(input.transferId);
  } catch (error) {
    context.logger.warn(
      { err: error, transferId: input.transferId },
      'could not start a released transfer now; the stranded transfer sweep will start it',
    );
  }
  return currentTransfer(context, input.transferId);
}

/**
 * Cancels a held transfer: it fails, having moved nothing, and its `transfer.failed` webhooks go out
 * (the requester was answered `held`). A repeat answers the same; webhooks not started now are sent
 * by the stranded-transfer sweep's outbox.
 */
export async function cancelTransferHold(
  context: ServiceContext & { startWebhooks?: TransferStarter; logger: Logger },
  input: { partnerId: string; transferId: string; now: Date },
): Promise<TransferWithHold> {
  const { hold } = await requireDecider(context, input.partnerId, input.transferId);
  if (hold.status !== 'cancelled') {
    await inTransaction(context.db, async (trx) => {
      if (!(await cancelHold(trx, input))) {
        const now = (await findHold(trx, input.transferId)) ?? hold;
        if (now.status !== 'cancelled') throw notOpen(now, 'cancel', input.now);
      }
    });
  }
  try {
    await context.startWebhooks?.(input.transferId);
  } catch (error) {
    context.logger.warn(
      { err: error, transferId: input.transferId },
      'could not start the cancelled transfer’s webhooks now; the stranded transfer sweep will',
    );
  }
  return currentTransfer(context, input.transferId);
}

/** Holds on transfers out of the partner's programmes: the queue it decides from. */
export async function listTransferHolds(
  context: ServiceContext,
  input: { partnerId: string; status: TransferHoldStatus | null; cursor: string | null; limit: number },
): Promise<TransferHold[]> {
  return listPartnerHolds(context.db, input);
}

/** Expires every hold nobody acted on, in batches; returns the transfers it failed. */
export async function expireTheftHolds(context: Pick<ServiceContext, 'db'>, now: Date): Promise<string[]> {
  const batch = 500;
  const expired: string[] = [];
  while (true) {
    const ids = await expireHolds(context.db, { now, limit: batch });
    expired.push(...ids);
    if (ids.length < batch) return expired;
  }
}

export async function readTheftHoldPolicy(
  context: ServiceContext,
  input: { partnerId: string; programId: string },
): Promise<TheftPolicy | null> {
  await requireOwnProgram(context, input.partnerId, input.programId, 'path.programId');
  return readTheftPolicy(context.db, input.programId);
}

/** Sets the programme's policy, or removes it (null): transfers out of it are then never held. */
export async function setTheftHoldPolicy(
  context: ServiceContext,
  input: { partnerId: string; programId: string; policy: TheftPolicy | null },
): Promise<TheftPolicy | null> {
  await requireOwnProgram(context, input.partnerId, input.programId, 'path.programId');
  if (input.policy) await setTheftPolicy(context.db, input.programId, input.policy);
  else await deleteTheftPolicy(context.db, input.programId);
  return input.policy;
}
