// Cash agreements: what one point of a programme is worth, as money, at one merchant's checkout.
// The programme's owner offers it (it is the one who pays the merchant for points spent there) and
// the merchant accepts it; accepting a newer offer ends the older agreement of the pair. A newer
// offer withdraws the pair's offer still waiting, so only the owner's latest price can be accepted,
// and an offer older than an agreement accepted since never can. Payments keep the price they were
// authorized at.
import { ProblemError } from '../domain/errors.ts';
import {
  acceptCashAgreement,
  endWaitingOffers,
  findCashAgreement,
  findNewerAcceptedCashAgreement,
  insertCashAgreement,
  lockCashAgreement,
  lockCashAgreementPair,
} from '../store/cash-agreements.ts';
import type { CashAgreement } from '../store/database.ts';
import { newId } from '../store/ids.ts';
import { findPartner } from '../store/partners.ts';
import type { ServiceContext } from './context.ts';
import { requireOwnProgram } from './programs.ts';

/** Offered in the caller's transaction (the route stores its reply with it). */
export async function offerCashAgreement(
  context: ServiceContext,
  input: {
    partnerId: string;
    programId: string;
    merchantId: string;
    amountMinor: bigint;
    perPoints: bigint;
    currency: string;
  },
): Promise<CashAgreement> {
  await requireOwnProgram(context, input.partnerId, input.programId, 'programId');
  if (!(await findPartner(context.db, input.merchantId))) {
    throw new ProblemError('not_found', `Partner ${input.merchantId} does not exist.`, [
      { field: 'merchantId', message: 'unknown partner' },
    ]);
  }
  // Under the pair's lock, so two offers at once leave one waiting: the later.
  const pair = { programId: input.programId, merchantId: input.merchantId };
  await lockCashAgreementPair(context.db, pair);
  await endWaitingOffers(context.db, pair, new Date());
  return insertCashAgreement(context.db, {
    id: newId('cag'),
    programId: input.programId,
    ownerId: input.partnerId,
    merchantId: input.merchantId,
    amountMinor: input.amountMinor,
    perPoints: input.perPoints,
    currency: input.currency,
  });
}

/** The merchant accepts an offer made to it, in the caller's transaction. */
export async function acceptCashAgreementOffer(
  context: ServiceContext,
  input: { partnerId: string; agreementId: string; now: Date },
): Promise<CashAgreement> {
  const found = await findCashAgreement(context.db, input.agreementId);
  if (!found || (found.merchant_id !== input.partnerId && found.owner_id !== input.partnerId)) {
    throw new ProblemError('not_found', `Cash agreement ${input.agreementId} does not exist.`);
  }
  if (found.merchant_id !== input.partnerId) {
    throw new ProblemError('forbidden', 'Only the merchant the agreement was offered to accepts it.');
  }
  // The pair's lock, then the row's (as an offer takes them): two acceptances of the pair at once run
  // one after the other, and the second sees what the first did.
  await lockCashAgreementPair(context.db, { programId: found.program_id, merchantId: found.merchant_id });
  const agreement = await lockCashAgreement(context.db, found.id);
  if (!agreement) throw new Error(`cash agreement ${found.id} vanished`);
  if (agreement.status !== 'offered') {
    const withdrawn = agreement.status === 'ended' && !agreement.accepted_at;
    throw new ProblemError(
      'cash_agreement_not_offered',
      withdrawn
        ? `Cash agreement ${agreement.id} was withdrawn by a newer offer of the programme's owner.`
        : `Cash agreement ${agreement.id} is ${agreement.status}.`,
    );
  }
  const newer = await findNewerAcceptedCashAgreement(context.db, agreement);
  if (newer) {
    throw new ProblemError(
      'cash_agreement_not_offered',
      `Cash agreement ${agreement.id} was offered before ${newer.id}, accepted since; ask the owner for a new offer.`,
    );
  }
  return acceptCashAgreement(context.db, agreement, input.now);
}

export async function readCashAgreement(
  context: ServiceContext,
  partnerId: string,
  agreementId: string,
): Promise<CashAgreement> {
  const agreement = await findCashAgreement(context.db, agreementId);
  if (!agreement || (agreement.merchant_id !== partnerId && agreement.owner_id !== partnerId)) {
    throw new ProblemError('not_found', `Cash agreement ${agreementId} does not exist.`);
  }
  return agreement;
}
