// The accrual use case: a merchant reports a member's purchase and the member earns points at
// another brand's programme, at the earn agreement in force. The accrual's figures are fixed and it
// is created bound to the request's Idempotency-Key in one transaction, so a retry after a crash
// finds the accrual its first run created; the merchant's order reference is a second natural key
// (one accrual per order). Then its workflow credits the points (or, when Temporal is unreachable,
// the stranded sweep starts it).
import { accrue } from '../domain/accrual.ts';
import { ProblemError } from '../domain/errors.ts';
import type { Logger } from '../runtime/logger.ts';
import { listAccrualReversals } from '../store/accrual-reversals.ts';
import { findAccrual, findAccrualByOrder, insertAccrual, listAccrualSteps } from '../store/accruals.ts';
import type { Accrual } from '../store/database.ts';
import { earnVersionInForce } from '../store/earn-agreements.ts';
import { requireHeadroom } from '../store/exposure.ts';
import { bindIdempotencyEffect } from '../store/idempotency.ts';
import { newId } from '../store/ids.ts';
import { findActiveLink } from '../store/members.ts';
import { campaignsFor } from './campaigns.ts';
import type { ServiceContext } from './context.ts';
import { requireActivePartner, requireProgram } from './programs.ts';

/** Starts the accrual's (or a refund's) workflow, or finds it running, and waits a short while. */
export type AccrualStarter = (id: string) => Promise<unknown>;

export interface AccrualDependencies extends ServiceContext {
  startAccrual: AccrualStarter;
  logger: Logger;
}

export interface AccrualInput {
  merchantPartnerId: string;
  memberId: string;
  programId: string;
  purchaseAmountMinor: bigint;
  purchaseCurrency: string;
  orderReference: string;
  now: Date;
}

export const finishedStatuses: readonly string[] = ['completed', 'failed', 'needs_attention'];

/** Another run of the same key created its accrual first; this run's writes are rolled back. */
class KeyAlreadyBound extends Error {
  readonly accrualId: string;
  constructor(accrualId: string) {
    super(`the Idempotency-Key already created accrual ${accrualId}`);
    this.accrualId = accrualId;
  }
}

/** The order was accrued before (under another key): the same purchase is that accrual; another is a conflict. */
function sameOrder(existing: Accrual, input: AccrualInput): Accrual {
  if (
    existing.member_id !== input.memberId ||
    existing.program_id !== input.programId ||
    existing.purchase_amount_minor !== input.purchaseAmountMinor ||
    existing.purchase_currency !== input.purchaseCurrency
  ) {
    throw new ProblemError(
      'order_already_accrued',
      `Order ${input.orderReference} earned points in accrual ${existing.id}, for another member, programme or amount.`,
      [{ field: 'orderReference', message: `accrued already as ${existing.id}` }],
    );
  }
  return existing;
}

async function createAccrual(
  context: ServiceContext,
  input: AccrualInput & { idempotency: { principal: string; key: string } },
): Promise<Accrual> {
  // An order accrued before is answered with its accrual, whatever became of its programme since.
  const earlier = await findAccrualByOrder(context.db, input.merchantPartnerId, input.orderReference);
  if (earlier) return sameOrder(earlier, input);
  const program = await requireProgram(context, input.programId, 'programId');
  requireActivePartner(program, 'programId');
  const link = await findActiveLink(context.db, input.memberId, input.programId);
  if (!link) {
    throw new ProblemError(
      'member_link_missing',
      `Member ${input.memberId} is not linked to ${input.programId}.`,
      [{ field: 'memberId', message: 'not linked to the earning programme' }],
    );
  }
  const agreement = await earnVersionInForce(context.db, {
    merchantPartnerId: input.merchantPartnerId,
    programId: input.programId,
    at: input.now,
  });
  if (!agreement) {
    throw new ProblemError(
      'agreement_not_in_force',
      `No earn agreement is in force between you and programme ${input.programId}.`,
      [{ field: 'programId', message: 'no earn agreement in force' }],
    );
  }
  const figures = accrue({
    terms: agreement.terms,
    memberTier: link.tier,
    purchaseAmountMinor: input.purchaseAmountMinor,
    purchaseCurrency: input.purchaseCurrency,
    campaigns: await campaignsFor(context.db, {
      appliesTo: 'accruals',
      programId: input.programId,
      sourceProgramId: null,
      tier: link.tier,
      at: input.now,
    }),
  });
  return context.db.transaction().execute(async (trx) => {
    const accrualId = newId('acr');
    const boundTo = await bindIdempotencyEffect(trx, { ...input.idempotency, effectId: accrualId });
    if (boundTo !== accrualId) throw new KeyAlreadyBound(boundTo);
    // What the merchant will owe for it counts against its exposure cap from now (store/exposure.ts):
    // the points, once credited, cannot be taken back for want of headroom.
    await requireHeadroom(trx, {
      partnerId: input.merchantPartnerId,
      currency: figures.currency,
      addedMinor: figures.amountOwedMinor,
    });
    const inserted = await insertAccrual(trx, {
      id: accrualId,
      merchant_partner_id: input.merchantPartnerId,
      order_reference: input.orderReference,
      member_id: input.memberId,
      program_id: input.programId,
      account_ref: link.account_ref,
      tier: link.tier,
      purchase_amount_minor: input.purchaseAmountMinor,
      purchase_currency: input.purchaseCurrency,
      agreement_id: agreement.agreementId,
      agreement_version: agreement.version,
      points: figures.points,
      amount_owed_minor: figures.amountOwedMinor,
      currency: figures.currency,
      // Bigints as strings, as a quote's modifiers are stored.
      modifiers: JSON.parse(
        JSON.stringify(figures.modifiers, (_, value) => (typeof value === 'bigint' ? String(value) : value)),
      ),
    });
    if (inserted) return inserted;
    // Another key accrued the order meanwhile: this key answers with that accrual (or the conflict),
    // and this run's binding is rolled back with the transaction.
    const raced = await findAccrualByOrder(trx, input.merchantPartnerId, input.orderReference);
    if (!raced) throw new Error(`order ${input.orderReference} conflicted with no accrual`);
    throw new KeyAlreadyBound(sameOrder(raced, input).id);
  });
}

/** Creates the accrual (or finds the one this key or order created) and starts its workflow. */
export async function requestAccrual(
  deps: AccrualDependencies,
  input: AccrualInput & { idempotency: { principal: string; key: string; effectId: string | null } },
): Promise<{ accrual: Accrual; finished: boolean }> {
  let accrual = input.idempotency.effectId
    ? await findAccrual(deps.db, input.idempotency.effectId)
    : undefined;
  if (!accrual) {
    try {
      accrual = await createAccrual(deps, input);
    } catch (error) {
      if (!(error instanceof KeyAlreadyBound)) throw error;
      accrual = await findAccrual(deps.db, error.accrualId);
      if (!accrual) throw new Error(`accrual ${error.accrualId} bound to a key does not exist`);
    }
  }
  try {
    await deps.startAccrual(accrual.id);
  } catch (error) {
    deps.logger.warn(
      { err: error, accrualId: accrual.id },
      'could not start the accrual workflow now; the stranded sweep will start it',
    );
  }
  const current = await findAccrual(deps.db, accrual.id);
  if (!current) throw new Error(`accrual ${accrual.id} vanished after it was created`);
  return { accrual: current, finished: finishedStatuses.includes(current.status) };
}

/** An accrual with its refunds and timeline, to its merchant or the earning programme's owner. */
export async function readAccrual(context: ServiceContext, partnerId: string, accrualId: string) {
  const accrual = await findAccrual(context.db, accrualId);
  const program = accrual && (await context.programs.find(context.db, accrual.program_id));
  if (!accrual || (accrual.merchant_partner_id !== partnerId && program?.partner_id !== partnerId)) {
    throw new ProblemError('not_found', `Accrual ${accrualId} does not exist.`);
  }
  const [reversals, steps] = await Promise.all([
    listAccrualReversals(context.db, accrualId),
    listAccrualSteps(context.db, accrualId),
  ]);
  return { accrual, reversals, steps };
}
