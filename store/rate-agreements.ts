// Rate agreements as stored: directional, versioned, never edited in place (the rules of proposing
// and accepting are in services/rate-agreements.ts), and the query for the version in force.
import { type Kysely, sql, type Transaction } from 'kysely';
import { endedStillQuotedSince, type RateEdge } from '../domain/arbitrage.ts';
import { multiplyRatios, type Ratio } from '../domain/arithmetic.ts';
import { bestCaseRatio, isInForce, type RateTerms } from '../domain/rate-terms.ts';
import type { Database, RateAgreementVersion } from './database.ts';
import { newId } from './ids.ts';

interface StoredCampaign {
  name: string;
  startsAt: string;
  endsAt: string;
  multiplierNumerator: string;
  multiplierDenominator: string;
}

interface StoredTier {
  tier: string;
  fromPoints: string;
  toPoints: string;
}

export type ProposedTerms = Omit<RateTerms, 'rounding'>;

export interface AgreementVersionRecord {
  agreementId: string;
  version: number;
  terms: RateTerms;
  proposedBy: string;
  sourceAcceptedAt: Date | null;
  targetAcceptedAt: Date | null;
  createdAt: Date;
}

function toTerms(row: RateAgreementVersion, sourceProgramId: string, targetProgramId: string): RateTerms {
  const tiers = row.tier_ratios as StoredTier[];
  const campaigns = row.campaigns as StoredCampaign[];
  return {
    sourceProgramId,
    targetProgramId,
    fromPoints: row.from_points,
    toPoints: row.to_points,
    rounding: row.rounding,
    feeBasisPoints: row.fee_basis_points,
    feePayer: row.fee_payer,
    reversalShortfallPayer: row.reversal_shortfall_payer,
    sourcePointsMin: row.source_points_min,
    sourcePointsMax: row.source_points_max,
    memberDailyCapSourcePoints: row.member_daily_cap_source_points,
    settlementAmountMinor: row.settlement_amount_minor,
    settlementPerTargetPoints: row.settlement_per_target_points,
    settlementCurrency: row.settlement_currency,
    tierRatios: tiers.map((tier) => ({
      tier: tier.tier,
      fromPoints: BigInt(tier.fromPoints),
      toPoints: BigInt(tier.toPoints),
    })),
    campaigns: campaigns.map((campaign) => ({
      name: campaign.name,
      startsAt: new Date(campaign.startsAt),
      endsAt: new Date(campaign.endsAt),
      multiplier: {
        numerator: BigInt(campaign.multiplierNumerator),
        denominator: BigInt(campaign.multiplierDenominator),
      },
    })),
    minRemainingLifeDays: row.min_remaining_life_days,
    effectiveFrom: row.effective_from,
    effectiveUntil: row.effective_until,
  };
}

function toRecord(
  row: RateAgreementVersion,
  sourceProgramId: string,
  targetProgramId: string,
): AgreementVersionRecord {
  return {
    agreementId: row.agreement_id,
    version: row.version,
    terms: toTerms(row, sourceProgramId, targetProgramId),
    proposedBy: row.proposed_by,
    sourceAcceptedAt: row.source_accepted_at,
    targetAcceptedAt: row.target_accepted_at,
    createdAt: row.created_at,
  };
}

async function versionsWithPrograms(db: Kysely<Database> | Transaction<Database>) {
  return db
    .selectFrom('rate_agreement_versions as v')
    .innerJoin('rate_agreements as a', 'a.id', 'v.agreement_id')
    .selectAll('v')
    .select(['a.source_program_id', 'a.target_program_id'])
    .orderBy('v.agreement_id')
    .orderBy('v.version')
    .execute();
}

/**
 * The alliance's rate graph for the arbitrage check: per programme pair, the best-case ratio of
 * every version that is or may come in force (accepted or still proposed), or whose end is recent
 * enough for quotes priced on it to be spent still. Counting proposals too is conservative: it
 * refuses a cycle before anyone could accept its last edge. `boost`: what the
 * target programme's own campaigns could add (services/campaigns.ts).
 */
export async function rateEdges(
  trx: Transaction<Database>,
  now: Date,
  boost: (terms: RateTerms) => Ratio = () => ({ numerator: 1n, denominator: 1n }),
): Promise<RateEdge[]> {
  const rows = await versionsWithPrograms(trx);
  const since = endedStillQuotedSince(now);
  return rows
    .filter((row) => row.effective_until === null || row.effective_until > since)
    .map((row) => {
      const terms = toTerms(row, row.source_program_id, row.target_program_id);
      return {
        sourceProgramId: row.source_program_id,
        targetProgramId: row.target_program_id,
        ratio: multiplyRatios(bestCaseRatio(terms), boost(terms)),
      };
    });
}

/** One writer at a time on the rate graph, so two changes cannot each miss the other's cycle. */
export async function lockRateGraph(trx: Transaction<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('rate_graph'))`.execute(trx);
}

/** The agreement between two programmes (made on first proposal), locked until the transaction ends. */
export async function lockAgreement(
  trx: Transaction<Database>,
  sourceProgramId: string,
  targetProgramId: string,
): Promise<string> {
  await trx
    .insertInto('rate_agreements')
    .values({ id: newId('agr'), source_program_id: sourceProgramId, target_program_id: targetProgramId })
    .onConflict((conflict) => conflict.columns(['source_program_id', 'target_program_id']).doNothing())
    .execute();
  const agreement = await trx
    .selectFrom('rate_agreements')
    .select('id')
    .where('source_program_id', '=', sourceProgramId)
    .where('target_program_id', '=', targetProgramId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return agreement.id;
}

/** Writes the agreement's next version, accepted by the side that proposed it. */
export async function insertNextVersion(
  trx: Transaction<Database>,
  input: { agreementId: string; terms: RateTerms; proposedBy: string; side: 'source' | 'target'; now: Date },
): Promise<AgreementVersionRecord> {
  const { terms } = input;
  const latest = await trx
    .selectFrom('rate_agreement_versions')
    .select((eb) => eb.fn.max('version').as('version'))
    .where('agreement_id', '=', input.agreementId)
    .executeTakeFirst();
  const row = await trx
    .insertInto('rate_agreement_versions')
    .values({
      agreement_id: input.agreementId,
      version: (latest?.version ?? 0) + 1,
      from_points: terms.fromPoints,
      to_points: terms.toPoints,
      rounding: terms.rounding,
      fee_basis_points: terms.feeBasisPoints,
      fee_payer: terms.feePayer,
      reversal_shortfall_payer: terms.reversalShortfallPayer,
      source_points_min: terms.sourcePointsMin,
      source_points_max: terms.sourcePointsMax,
      member_daily_cap_source_points: terms.memberDailyCapSourcePoints,
      settlement_amount_minor: terms.settlementAmountMinor,
      settlement_per_target_points: terms.settlementPerTargetPoints,
      settlement_currency: terms.settlementCurrency,
      tier_ratios: JSON.stringify(
        terms.tierRatios.map((tier) => ({
          tier: tier.tier,
          fromPoints: String(tier.fromPoints),
          toPoints: String(tier.toPoints),
        })),
      ),
      campaigns: JSON.stringify(
        terms.campaigns.map((campaign) => ({
          name: campaign.name,
          startsAt: campaign.startsAt.toISOString(),
          endsAt: campaign.endsAt.toISOString(),
          multiplierNumerator: String(campaign.multiplier.numerator),
          multiplierDenominator: String(campaign.multiplier.denominator),
        })),
      ),
      min_remaining_life_days: terms.minRemainingLifeDays ?? null,
      effective_from: terms.effectiveFrom,
      effective_until: terms.effectiveUntil,
      proposed_by: input.proposedBy,
      source_accepted_at: input.side === 'source' ? input.now : null,
      target_accepted_at: input.side === 'target' ? input.now : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRecord(row, terms.sourceProgramId, terms.targetProgramId);
}

/** One version of an agreement, with the agreement's two programmes. */
export async function findAgreementVersion(
  db: Kysely<Database>,
  agreementId: string,
  version: number,
): Promise<AgreementVersionRecord | undefined> {
  const row = await db
    .selectFrom('rate_agreement_versions as v')
    .innerJoin('rate_agreements as a', 'a.id', 'v.agreement_id')
    .selectAll('v')
    .select(['a.source_program_id', 'a.target_program_id'])
    .where('v.agreement_id', '=', agreementId)
    .where('v.version', '=', version)
    .executeTakeFirst();
  return row && toRecord(row, row.source_program_id, row.target_program_id);
}

/** Records one side's acceptance of a version. */
export async function markVersionAccepted(
  trx: Transaction<Database>,
  input: { version: AgreementVersionRecord; side: 'source' | 'target'; at: Date },
): Promise<AgreementVersionRecord> {
  const column = input.side === 'source' ? 'source_accepted_at' : 'target_accepted_at';
  const row = await trx
    .updateTable('rate_agreement_versions')
    .set({ [column]: input.at })
    .where('agreement_id', '=', input.version.agreementId)
    .where('version', '=', input.version.version)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRecord(row, input.version.terms.sourceProgramId, input.version.terms.targetProgramId);
}

export async function listAgreementVersions(
  db: Kysely<Database>,
  agreementId: string,
): Promise<AgreementVersionRecord[]> {
  const rows = (await versionsWithPrograms(db)).filter((row) => row.agreement_id === agreementId);
  return rows.map((row) => toRecord(row, row.source_program_id, row.target_program_id));
}

/**
 * The version in force between two programmes at a moment: of the versions both sides accepted and
 * whose start has come, the one that started last (the highest version on a tie); `versionInForce`
 * then checks that its window has not closed. A query, so that a caller can make it part of its own.
 */
export function versionInForceQuery(
  db: Kysely<Database>,
  sourceProgramId: string,
  targetProgramId: string,
  at: Date,
) {
  return db
    .selectFrom('rate_agreement_versions as v')
    .innerJoin('rate_agreements as a', 'a.id', 'v.agreement_id')
    .selectAll('v')
    .where('a.source_program_id', '=', sourceProgramId)
    .where('a.target_program_id', '=', targetProgramId)
    .where('v.source_accepted_at', 'is not', null)
    .where('v.target_accepted_at', 'is not', null)
    .where('v.effective_from', '<=', at)
    .orderBy('v.effective_from', 'desc')
    .orderBy('v.version', 'desc')
    .limit(1);
}

/** The row `versionInForceQuery` found, as a record; undefined when its window has closed at `at`. */
export function versionInForce(
  row: RateAgreementVersion | undefined,
  sourceProgramId: string,
  targetProgramId: string,
  at: Date,
): AgreementVersionRecord | undefined {
  if (!row) return undefined;
  const record = toRecord(row, sourceProgramId, targetProgramId);
  return isInForce(record.terms, at) ? record : undefined;
}

/** Every programme the source has an agreement to (in force or not): the candidates for its members' purchases. */
export async function agreementTargets(db: Kysely<Database>, sourceProgramId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('rate_agreements')
    .select('target_program_id')
    .where('source_program_id', '=', sourceProgramId)
    .execute();
  return rows.map((row) => row.target_program_id);
}

/** The terms in force now from the source to each target that has some, by target programme. */
export async function termsInForceFrom(
  db: Kysely<Database>,
  sourceProgramId: string,
  targetProgramIds: readonly string[],
  at: Date,
): Promise<Map<string, AgreementVersionRecord>> {
  const found = await Promise.all(
    targetProgramIds.map(async (targetProgramId) => {
      const row = await versionInForceQuery(db, sourceProgramId, targetProgramId, at).executeTakeFirst();
      return [targetProgramId, versionInForce(row, sourceProgramId, targetProgramId, at)] as const;
    }),
  );
  return new Map(found.filter((entry): entry is [string, AgreementVersionRecord] => entry[1] !== undefined));
}
