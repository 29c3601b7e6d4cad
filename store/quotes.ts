// Quotes: the figures of a transfer under the agreement in force, locked for a short time, bound to
// their member and amount, and used by at most one transfer.
import { type Kysely, sql } from 'kysely';
import type { Database, Quote, RateAgreementVersion } from './database.ts';
import { type StoredAnswer, withStoredAnswer } from './idempotency.ts';
import { versionInForce, versionInForceQuery } from './rate-agreements.ts';

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

export interface QuoteContextRow extends Partial<RateAgreementVersion> {
  program_id: string;
  link_tier: string | null;
  link_consent_scopes: string[] | null;
  link_cooling_off_until: Date | null;
  debited_today: bigint;
}

/**
 * What a quote reads, in one statement: the member's links to both programmes (source first, with
 * no link fields when there is no active link), the source points debited today, and the agreement
 * version that may be in force.
 */
export async function readQuoteContext(
  db: Kysely<Database>,
  input: { memberId: string; sourceProgramId: string; targetProgramId: string; now: Date },
) {
  const { memberId, sourceProgramId, targetProgramId, now } = input;
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
  return {
    source,
    target,
    version: versionInForce(
      source.agreement_id ? (source as RateAgreementVersion) : undefined,
      sourceProgramId,
      targetProgramId,
      now,
    ),
  };
}

/** A quote as it will be stored; everything a reply shows is known before the insert. */
export type PricedQuote = Omit<Quote, 'created_at'>;

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

export async function findQuote(db: Kysely<Database>, quoteId: string): Promise<Quote | undefined> {
  return db.selectFrom('quotes').selectAll().where('id', '=', quoteId).executeTakeFirst();
}
