// Quotes: the figures of a transfer under the agreement in force, locked for a short time, bound to
// their member and amount, and used by at most one transfer.
import { type Kysely, sql } from 'kysely';
import { ProblemError } from '../domain/errors.ts';
import { computeQuote, type QuoteAmount } from '../domain/quote.ts';
import type { Database, Quote } from './database.ts';
import { newId } from './ids.ts';
import { requireTransferLink } from './members.ts';
import { requireProgram } from './programs.ts';
import { findVersionInForce } from './rate-agreements.ts';

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

/** Source points this member had debited today (UTC) out of this programme, by transfers not failed. */
export async function debitedTodaySourcePoints(
  db: Kysely<Database>,
  memberId: string,
  sourceProgramId: string,
  at: Date,
): Promise<bigint> {
  const row = await db
    .selectFrom('transfers')
    .select(sql<bigint>`coalesce(sum(debit_points), 0)::int8`.as('total'))
    .where('member_id', '=', memberId)
    .where('source_program_id', '=', sourceProgramId)
    .where('created_at', '>=', startOfUtcDay(at))
    .where('status', '!=', 'failed')
    .executeTakeFirstOrThrow();
  return row.total;
}

export async function createQuote(db: Kysely<Database>, request: QuoteRequest): Promise<Quote> {
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
  // Independent reads, in parallel: a quote costs three round trips of latency, not six.
  const [sourceLink, , version, debitedToday] = await Promise.all([
    requireTransferLink(db, request.memberId, request.sourceProgramId, 'sourceProgramId'),
    requireTransferLink(db, request.memberId, request.targetProgramId, 'targetProgramId'),
    findVersionInForce(db, request.sourceProgramId, request.targetProgramId, request.now),
    debitedTodaySourcePoints(db, request.memberId, request.sourceProgramId, request.now),
  ]);
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
      sourceLink.cooling_off_until > request.now ? request.coolingOffCapSourcePoints : null,
  });
  return db
    .insertInto('quotes')
    .values({
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
      modifiers: JSON.stringify(figures.modifiers, (_, value) =>
        typeof value === 'bigint' ? String(value) : value,
      ),
      settlement_amount_minor: figures.settlementAmountMinor,
      fee_amount_minor: figures.feeAmountMinor,
      currency: figures.currency,
      expires_at: new Date(request.now.getTime() + request.lifetimeSeconds * 1000),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findQuote(db: Kysely<Database>, quoteId: string): Promise<Quote | undefined> {
  return db.selectFrom('quotes').selectAll().where('id', '=', quoteId).executeTakeFirst();
}
