// Quotes: the figures of a transfer under the agreement in force, locked for a short time, bound to
// their member and amount, and used by at most one transfer.
import { type Kysely, sql } from 'kysely';
import { requireTransferRequester } from '../domain/consent.ts';
import { ProblemError } from '../domain/errors.ts';
import { computeQuote, type QuoteAmount } from '../domain/quote.ts';
import type { Database, Quote, RateAgreementVersion } from './database.ts';
import { type StoredAnswer, withStoredAnswer } from './idempotency.ts';
import { newId } from './ids.ts';
import { memberLinkMissing } from './members.ts';
import { requireProgram } from './programs.ts';
import { versionInForce, versionInForceQuery } from './rate-agreements.ts';

export interface QuoteRequest {
  partnerId: string;
  memberId: string;
  sourceProgramId: string;
  targetProgramId: string;
  amount: QuoteAmount;
  now: Date;
  lifetimeSeconds: number;
  coolingOffCapSourcePoints: bigint;
}

function startOfUtcDay(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

function debitedTodayQuery(db: Kysely<Database>, memberId: string, sourceProgramId: string, at: Date) {
  return db
    .selectFrom('transfers')
    .select(sql<bigint>`coalesce(sum(debit_points), 0)::int8`.as('total'))
    .where('member_id', '=', memberId)
    .where('source_program_id', '=', sourceProgramId)
    .where('created_at', '>=', startOfUtcDay(at))
    .where('status', '!=', 'failed');
}

/** Source points this member had debited today (UTC) out of this programme, by transfers not failed. */
export async function debitedTodaySourcePoints(
  db: Kysely<Database>,
  memberId: string,
  sourceProgramId: string,
  at: Date,
): Promise<bigint> {
  const row = await debitedTodayQuery(db, memberId, sourceProgramId, at).executeTakeFirstOrThrow();
  return row.total;
}

interface QuoteContextRow extends Partial<RateAgreementVersion> {
  program_id: string;
  link_tier: string | null;
  link_consent_scopes: string[] | null;
  link_cooling_off_until: Date | null;
  debited_today: bigint;
}

/**
 * What a quote reads, in one statement: the member's links to both programmes (source first), the
 * source points debited today, and the agreement version that may be in force.
 */
async function readQuoteContext(db: Kysely<Database>, request: QuoteRequest) {
  const { memberId, sourceProgramId, targetProgramId, now } = request;
  const { rows } = await sql<QuoteContextRow>`
    select
      p.program_id, l.tier as link_tier, l.consent_scopes as link_consent_scopes,
      l.cooling_off_until as link_cooling_off_until,
      (${debitedTodayQuery(db, memberId, sourceProgramId, now)}) as debited_today,
      v.*
    from (values (${sourceProgramId}::text, 1), (${targetProgramId}::text, 2)) as p (program_id, position)
    left join member_links as l
      on l.member_id = ${memberId} and l.program_id = p.program_id and l.revoked_at is null
    left join lateral (${versionInForceQuery(db, sourceProgramId, targetProgramId, now)}) as v on true
    order by p.position`.execute(db);
  const [source, target] = rows;
  if (!source || !target) throw new Error('the quote context has one row per programme');
  const sourceLink = transferLink(source, 'sourceProgramId', memberId);
  transferLink(target, 'targetProgramId', memberId);
  return {
    sourceLink,
    debitedToday: source.debited_today,
    version: versionInForce(
      source.agreement_id ? (source as RateAgreementVersion) : undefined,
      sourceProgramId,
      targetProgramId,
      now,
    ),
  };
}

/** The member's active link with transfer consent, from a context row; a 422 naming the field when missing. */
function transferLink(row: QuoteContextRow, field: string, memberId: string) {
  if (!row.link_consent_scopes?.includes('transfers') || !row.link_cooling_off_until) {
    throw memberLinkMissing(memberId, row.program_id, field);
  }
  return {
    tier: row.link_tier,
    coolingOffUntil: row.link_cooling_off_until,
    consentScopes: row.link_consent_scopes,
  };
}

/** A quote as it will be stored; everything a reply shows is known before the insert. */
export type PricedQuote = Omit<Quote, 'created_at'>;

export async function createQuote(db: Kysely<Database>, request: QuoteRequest): Promise<PricedQuote> {
  const quote = await priceQuote(db, request);
  await insertQuote(db, quote, request.now);
  return quote;
}

/**
 * Stores a priced quote; with `answer`, the reply to the request's Idempotency-Key in the same
 * statement, so that the reply can never be lost once the quote exists.
 */
export async function insertQuote(
  db: Kysely<Database>,
  quote: PricedQuote,
  now: Date,
  answer?: StoredAnswer,
): Promise<void> {
  await (answer ? withStoredAnswer(db, answer) : db)
    .insertInto('quotes')
    .values({ ...quote, modifiers: JSON.stringify(quote.modifiers), created_at: now })
    .execute();
}

/** The figures of a quote under the agreement in force, checked against the member's links and caps. */
export async function priceQuote(db: Kysely<Database>, request: QuoteRequest): Promise<PricedQuote> {
  const [source, target] = await Promise.all([
    requireProgram(db, request.sourceProgramId, 'sourceProgramId'),
    requireProgram(db, request.targetProgramId, 'targetProgramId'),
  ]);
  for (const [program, field] of [
    [source, 'sourceProgramId'],
    [target, 'targetProgramId'],
  ] as const) {
    if (program.partner_status !== 'active') {
      throw new ProblemError(
        'counterparty_suspended',
        `The partner of programme ${program.id} is suspended; no points move to or from it.`,
        [{ field, message: 'the partner is suspended' }],
      );
    }
  }
  if (source.partner_id !== request.partnerId && target.partner_id !== request.partnerId) {
    throw new ProblemError(
      'forbidden',
      'Only a partner owning one of the two programmes may quote a transfer.',
    );
  }
  const { sourceLink, version, debitedToday } = await readQuoteContext(db, request);
  requireTransferRequester({
    requesterPartnerId: request.partnerId,
    sourcePartnerId: source.partner_id,
    targetPartnerId: target.partner_id,
    sourceConsentScopes: sourceLink.consentScopes,
  });
  if (!version) {
    throw new ProblemError(
      'agreement_not_in_force',
      'No accepted agreement between these programmes is in force now.',
      [{ field: 'targetProgramId', message: 'no rate in force from the source programme' }],
    );
  }
  const figures = computeQuote({
    terms: version.terms,
    memberTier: sourceLink.tier,
    amount: request.amount,
    at: request.now,
    debitedTodaySourcePoints: debitedToday,
    coolingOffCapSourcePoints:
      sourceLink.coolingOffUntil > request.now ? request.coolingOffCapSourcePoints : null,
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
    expires_at: new Date(request.now.getTime() + request.lifetimeSeconds * 1000),
    used_by_transfer_id: null,
  };
}

export async function findQuote(db: Kysely<Database>, quoteId: string): Promise<Quote | undefined> {
  return db.selectFrom('quotes').selectAll().where('id', '=', quoteId).executeTakeFirst();
}
