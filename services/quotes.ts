// The quote use case: the figures of a transfer under the agreement in force, for one member and
// amount, after every rule that decides whether it may be quoted at all. Transfers price their
// inline quotes here too.
import { campaignsApplying } from '../domain/campaigns.ts';
import { requireTransferConsent, requireTransferRequester } from '../domain/consent.ts';
import { ProblemError } from '../domain/errors.ts';
import { computeQuote, type QuoteAmount } from '../domain/quote.ts';
import type { ClaimInserter, StoredAnswer } from '../store/idempotency.ts';
import { newId } from '../store/ids.ts';
import {
  claimReadingQuoteContext,
  insertQuote,
  type PricedQuote,
  type QuoteContext,
  type QuoteContextInput,
  readQuoteContext,
} from '../store/quotes.ts';
import type { ServiceContext } from './context.ts';
import { requireActivePartner, requireProgram } from './programs.ts';

export interface QuotePolicy {
  quoteLifetimeSeconds: number;
  coolingOffCapSourcePoints: bigint;
}

export interface QuoteRequest {
  partnerId: string;
  memberId: string;
  sourceProgramId: string;
  targetProgramId: string;
  amount: QuoteAmount;
  now: Date;
}

/** The figures of a quote under the agreement in force, checked against the member's links and caps. */
export async function priceQuote(
  context: ServiceContext,
  policy: QuotePolicy,
  request: QuoteRequest,
  /** The context already read for this very request (with its `now`), by its key's claim. */
  read?: QuoteContext,
): Promise<PricedQuote> {
  const [source, target] = await Promise.all([
    requireProgram(context, request.sourceProgramId, 'sourceProgramId'),
    requireProgram(context, request.targetProgramId, 'targetProgramId'),
  ]);
  requireActivePartner(source, 'sourceProgramId');
  requireActivePartner(target, 'targetProgramId');
  if (source.partner_id !== request.partnerId && target.partner_id !== request.partnerId) {
    throw new ProblemError(
      'forbidden',
      'Only a partner owning one of the two programmes may quote a transfer.',
    );
  }
  // The links, the day's debits, the agreement in force and the target's campaigns, in one read;
  // which campaigns apply depends on the member's tier at the target, known from it.
  const quoteContext = read ?? (await readQuoteContext(context.db, request));
  const { campaigns } = quoteContext;
  const links = { source: quoteContext.source, target: quoteContext.target };
  for (const [end, field] of [
    ['source', 'sourceProgramId'],
    ['target', 'targetProgramId'],
  ] as const) {
    requireTransferConsent(
      { consentScopes: links[end].link_consent_scopes },
      { memberId: request.memberId, programId: links[end].program_id, field },
    );
  }
  requireTransferRequester({
    requesterPartnerId: request.partnerId,
    sourcePartnerId: source.partner_id,
    targetPartnerId: target.partner_id,
    sourceConsentScopes: quoteContext.source.link_consent_scopes ?? [],
  });
  const { version } = quoteContext;
  if (!version) {
    throw new ProblemError(
      'agreement_not_in_force',
      'No accepted agreement between these programmes is in force now.',
      [{ field: 'targetProgramId', message: 'no rate in force from the source programme' }],
    );
  }
  const coolingOffUntil = quoteContext.source.link_cooling_off_until;
  const figures = computeQuote({
    terms: version.terms,
    memberTier: quoteContext.source.link_tier,
    amount: request.amount,
    at: request.now,
    debitedTodaySourcePoints: quoteContext.source.debited_today,
    coolingOffCapSourcePoints:
      coolingOffUntil && coolingOffUntil > request.now ? policy.coolingOffCapSourcePoints : null,
    campaigns: {
      running: campaignsApplying(campaigns.running, {
        appliesTo: 'transfers_in',
        programId: request.targetProgramId,
        sourceProgramId: request.sourceProgramId,
        tier: quoteContext.target.link_tier,
        at: request.now,
      }),
      cap: campaigns.cap,
    },
  });
  return {
    id: newId('qte'),
    requested_by: request.partnerId,
    member_id: request.memberId,
    source_program_id: request.sourceProgramId,
    target_program_id: request.targetProgramId,
    agreement_id: version.agreementId,
    agreement_version: version.version,
    converted_source_points: figures.convertedSourcePoints,
    fee_points: figures.feePoints,
    debit_points: figures.debitPoints,
    credit_points: figures.creditPoints,
    daily_cap_source_points: figures.dailyCapSourcePoints,
    ratio_numerator: figures.ratio.numerator,
    ratio_denominator: figures.ratio.denominator,
    remainder_numerator: figures.creditRemainder.numerator,
    remainder_denominator: figures.creditRemainder.denominator,
    // As the jsonb column gives them back: amounts as strings.
    modifiers: JSON.parse(
      JSON.stringify(figures.modifiers, (_, value) => (typeof value === 'bigint' ? String(value) : value)),
    ),
    settlement_amount_minor: figures.settlementAmountMinor,
    fee_amount_minor: figures.feeAmountMinor,
    currency: figures.currency,
    expires_at: new Date(request.now.getTime() + policy.quoteLifetimeSeconds * 1000),
    used_by_transfer_id: null,
    item_id: null,
    item_version: null,
    used_by_order_id: null,
  };
}

/**
 * Prices and stores a quote; `answerFor` gives the reply to store under the request's key in the
 * same statement, so the reply can never be lost once the quote exists. The statement commits
 * without waiting for the disk: a quote lost in a database crash only makes the member ask again,
 * and a transfer that spends it commits durably, which flushes the quote first. `stored` is false
 * when another run of the key answered it first: this quote was then not written, and the key's
 * first answer stands.
 */
export async function requestQuote(
  context: ServiceContext,
  policy: QuotePolicy,
  request: QuoteRequest,
  answerFor: (quote: PricedQuote) => StoredAnswer,
  read?: QuoteContext,
): Promise<{ quote: PricedQuote; stored: boolean }> {
  const quote = await priceQuote(context, policy, request, read);
  const stored = await insertQuote(context.db, quote, request.now, answerFor(quote), { asyncCommit: true });
  return { quote, stored };
}

/** What a quote request's key claim read for its handler: the quote's context at `input.now`. */
export interface ReadByClaim {
  input: QuoteContextInput;
  context: QuoteContext;
}

/**
 * A quote request's key claim that reads the quote's context in the same statement (the route's
 * `claimWith`, gateway/idempotency.ts): a quote then makes two statements, not three. `read` gives
 * what the claim read, once it ran.
 */
export function quoteContextWithClaim(input: QuoteContextInput): {
  claim: ClaimInserter;
  read(): ReadByClaim | undefined;
} {
  let context: QuoteContext | undefined;
  return {
    async claim(db, claimInput, lockedUntil) {
      const { jti } = claimInput;
      if (!jti) throw new Error('a quote request reached its claim without its jti');
      const claimed = await claimReadingQuoteContext(db, { ...claimInput, jti }, lockedUntil, input);
      context = claimed.context;
      return claimed.inserted;
    },
    read: () => (context ? { input, context } : undefined),
  };
}
