// Quotes: the figures of a transfer under the agreement in force, locked for a short time, bound to
// their member and amount, and used by at most one transfer.
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { asyncCommit } from './async-commit.ts';
import { campaignCapFromJson, campaignsFromJson, runningCampaignsJson } from './campaigns.ts';
import { compiledOnce } from './compiled-once.ts';
import type { Database, Quote, RateAgreementVersion } from './database.ts';
import {
  type ClaimedRow,
  type ClaimInput,
  type ClaimInsert,
  claimCtes,
  claimedColumns,
  claimInsertOf,
  type StoredAnswer,
  withStoredAnswer,
} from './idempotency.ts';
import { versionInForce, versionInForceQuery } from './rate-agreements.ts';

function startOfUtcDay(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

function debitedSinceQuery(
  db: Kysely<Database>,
  memberId: unknown,
  sourceProgramId: unknown,
  since: unknown,
) {
  return db
    .selectFrom('transfers')
    .select(sql<bigint>`coalesce(sum(debit_points), 0)::int8`.as('total'))
    .where('member_id', '=', memberId as string)
    .where('source_program_id', '=', sourceProgramId as string)
    .where('created_at', '>=', since as Date)
    .where('status', '!=', 'failed');
}

/** Source points this member had debited today (UTC) out of this programme, by transfers not failed. */
export async function debitedTodaySourcePoints(
  db: Kysely<Database>,
  memberId: string,
  sourceProgramId: string,
  at: Date,
): Promise<bigint> {
  const row = await debitedSinceQuery(
    db,
    memberId,
    sourceProgramId,
    startOfUtcDay(at),
  ).executeTakeFirstOrThrow();
  return row.total;
}

export interface QuoteContextRow extends Partial<RateAgreementVersion> {
  program_id: string;
  link_tier: string | null;
  link_consent_scopes: string[] | null;
  link_cooling_off_until: Date | null;
  debited_today: bigint;
  /** Named apart from the agreement version's own `campaigns`, which `v.*` brings. */
  program_campaigns: unknown;
  program_campaign_cap: unknown;
}

const contextNames = ['memberId', 'sourceProgramId', 'targetProgramId', 'now', 'dayStart'] as const;
type ContextPlaceholders = Record<(typeof contextNames)[number], unknown>;

/**
 * What a quote reads: the member's links to both programmes (source first, with no link fields when
 * there is no active link), and, on the source's row only, the source points debited today, the
 * target's running transfer campaigns with its cap, and the agreement version that may be in force.
 * With `claim`, after the claim's CTEs, each row also selecting the claim's columns.
 */
function quoteContextQuery(
  db: Kysely<Database>,
  p: ContextPlaceholders,
  claim?: { ctes: RawBuilder<unknown>; columns: RawBuilder<unknown> },
) {
  const campaigns = runningCampaignsJson({
    programId: p.targetProgramId,
    appliesTo: 'transfers_in',
    at: p.now,
  });
  return sql<QuoteContextRow>`
    with
    ${claim ? sql`${claim.ctes},` : sql``}
    once as materialized (
      select
        (${debitedSinceQuery(db, p.memberId, p.sourceProgramId, p.dayStart)}) as debited_today,
        ${campaigns.campaigns} as program_campaigns,
        ${campaigns.cap} as program_campaign_cap
    ),
    in_force as materialized (
      ${versionInForceQuery(db, p.sourceProgramId as string, p.targetProgramId as string, p.now as Date)}
    )
    select
      ${claim ? sql`${claim.columns},` : sql``}
      p.program_id, l.tier as link_tier, l.consent_scopes as link_consent_scopes,
      l.cooling_off_until as link_cooling_off_until, once.*, v.*
    from (values (${p.sourceProgramId}::text, 1), (${p.targetProgramId}::text, 2)) as p (program_id, position)
    left join member_links as l
      on l.member_id = ${p.memberId} and l.program_id = p.program_id and l.revoked_at is null
    -- read once, so sent once: on the source's row only (the target's has nulls, which cost nothing)
    left join once on p.position = 1
    left join in_force as v on p.position = 1
    order by p.position`.compile(db);
}

/** What a quote reads, in one statement built once. */
const quoteContextStatement = compiledOnce(contextNames, quoteContextQuery);

const claimNames = ['issuer', 'jti', 'expiresAt', 'principal', 'key', 'requestHash', 'lockedUntil'] as const;

/**
 * The quote request's Idempotency-Key claim (with its jti, committed without waiting for the disk, as
 * the route's claims are) and what the quote reads, in one statement built once: the read costs
 * nothing more than the claim's round trip it shares, and is kept for the handler.
 */
const claimAndContextStatement = compiledOnce([...contextNames, ...claimNames], (db, p) =>
  quoteContextQuery(db, p, { ctes: claimCtes(p), columns: claimedColumns(true) }),
);

export interface QuoteContextInput {
  memberId: string;
  sourceProgramId: string;
  targetProgramId: string;
  now: Date;
}

export type QuoteContext = ReturnType<typeof quoteContextOf>;

function quoteContextOf(rows: QuoteContextRow[], input: QuoteContextInput) {
  const { sourceProgramId, targetProgramId, now } = input;
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
    campaigns: {
      running: campaignsFromJson(source.program_campaigns),
      cap: campaignCapFromJson(source.program_campaign_cap),
    },
  };
}

export async function readQuoteContext(
  db: Kysely<Database>,
  input: QuoteContextInput,
): Promise<QuoteContext> {
  const { rows } = await quoteContextStatement.execute(db, { ...input, dayStart: startOfUtcDay(input.now) });
  return quoteContextOf(rows, input);
}

/**
 * Claims a quote request's key as store/idempotency.ts's own claim would (an `insertWith` of the
 * route's), and reads the quote's context in the same statement.
 */
export async function claimReadingQuoteContext(
  db: Kysely<Database>,
  claim: ClaimInput & { jti: NonNullable<ClaimInput['jti']> },
  lockedUntil: Date,
  input: QuoteContextInput,
): Promise<{ inserted: ClaimInsert; context: QuoteContext }> {
  const { rows } = await claimAndContextStatement.execute(db, {
    ...input,
    dayStart: startOfUtcDay(input.now),
    issuer: claim.jti.issuer,
    jti: claim.jti.jti,
    expiresAt: claim.jti.expiresAt,
    principal: claim.principal,
    key: claim.key,
    requestHash: claim.requestHash,
    lockedUntil,
  });
  const withClaim = rows as (QuoteContextRow & ClaimedRow & { synchronous_commit: string })[];
  const context = withClaim.map(({ jti_new, claimed, synchronous_commit, ...row }) => row);
  return { inserted: claimInsertOf(withClaim[0]), context: quoteContextOf(context, input) };
}

/** A quote as it will be stored; everything a reply shows is known before the insert. */
export type PricedQuote = Omit<Quote, 'created_at'>;

/** Every column of a quote row, so that a column added to the table cannot be left out here. */
const quoteColumns = Object.keys({
  id: true,
  requested_by: true,
  member_id: true,
  source_program_id: true,
  target_program_id: true,
  agreement_id: true,
  agreement_version: true,
  converted_source_points: true,
  fee_points: true,
  debit_points: true,
  credit_points: true,
  daily_cap_source_points: true,
  ratio_numerator: true,
  ratio_denominator: true,
  remainder_numerator: true,
  remainder_denominator: true,
  modifiers: true,
  settlement_amount_minor: true,
  fee_amount_minor: true,
  currency: true,
  expires_at: true,
  used_by_transfer_id: true,
  item_id: true,
  item_version: true,
  used_by_order_id: true,
  created_at: true,
} satisfies Record<keyof Quote, true>) as (keyof Quote)[];

const answerFields = ['principal', 'key', 'status', 'contentType', 'body'] as const;

/** The quote's own placeholders, for `values`: the answer's are not columns of quotes. */
function quoteRow(placeholders: Record<string, unknown>) {
  return Object.fromEntries(quoteColumns.map((column) => [column, placeholders[column]])) as never;
}

/**
 * The quote inserted only if its reply was stored: a run whose key another run answered first (its
 * lease was taken over while it was still alive) must leave no second quote under the key.
 */
function answeredQuote(db: Kysely<Database>, p: Record<string, unknown>) {
  return withStoredAnswer(db, p as unknown as StoredAnswer)
    .insertInto('quotes')
    .columns(quoteColumns)
    .expression(
      db
        .selectNoFrom(quoteColumns.map((column) => sql`${p[column]}`.as(column)))
        .where(sql<boolean>`exists (select from stored_answer)`),
    );
}

/** The quote insert alone (in a caller's transaction), and with its reply stored, synchronous or not. */
const quoteInserts = {
  plain: compiledOnce(quoteColumns, (db, p) => db.insertInto('quotes').values(quoteRow(p)).compile()),
  answered: compiledOnce([...quoteColumns, ...answerFields], (db, p) =>
    answeredQuote(db, p).returning('id').compile(),
  ),
  answeredAsync: compiledOnce([...quoteColumns, ...answerFields], (db, p) =>
    answeredQuote(db, p)
      .returning(['id', asyncCommit.as('synchronous_commit')])
      .compile(),
  ),
};

/**
 * Stores a priced quote; with `answer`, the reply to the request's Idempotency-Key in the same
 * statement, so that the reply can never be lost once the quote exists. `asyncCommit` (with an
 * answer, outside any transaction): the statement commits without waiting for the disk, see
 * store/async-commit.ts; a quote lost in a database crash only makes the member ask again.
 * False when another run of the key had answered it: then nothing was written.
 */
export async function insertQuote(
  db: Kysely<Database>,
  quote: PricedQuote,
  now: Date,
  answer?: StoredAnswer,
  options: { asyncCommit?: boolean } = {},
): Promise<boolean> {
  const row = { ...quote, modifiers: JSON.stringify(quote.modifiers), created_at: now };
  if (!answer) {
    await quoteInserts.plain.execute(db, row);
    return true;
  }
  const insert = options.asyncCommit ? quoteInserts.answeredAsync : quoteInserts.answered;
  const { rows } = await insert.execute(db, { ...row, ...answer });
  return rows.length === 1;
}

export async function findQuote(db: Kysely<Database>, quoteId: string): Promise<Quote | undefined> {
  return db.selectFrom('quotes').selectAll().where('id', '=', quoteId).executeTakeFirst();
}
