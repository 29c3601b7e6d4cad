// Programme campaigns as stored: their terms never change, ending one early only sets ended_at; and
// each programme's stacking cap. What applies and how campaigns stack is in domain/campaigns.ts.
import { type Kysely, sql } from 'kysely';
import { endedStillQuotedSince } from '../domain/arbitrage.ts';
import type { Ratio } from '../domain/arithmetic.ts';
import { type CampaignAppliesTo, defaultCampaignCap, type ProgrammeCampaign } from '../domain/campaigns.ts';
import type { Database } from './database.ts';

export interface StoredCampaign extends ProgrammeCampaign {
  createdBy: string;
  /** When it was planned to end; `endsAt` is the earlier of this and `endedAt`. */
  plannedEndsAt: Date;
  endedAt: Date | null;
  createdAt: Date;
}

const campaignColumns = [
  'id',
  'program_id',
  'created_by',
  'name',
  'applies_to',
  'source_program_id',
  'tier',
  'multiplier_numerator',
  'multiplier_denominator',
  'starts_at',
  'ends_at',
  'ended_at',
  'created_at',
] as const;

function toCampaign(row: {
  id: string;
  program_id: string;
  created_by: string;
  name: string;
  applies_to: CampaignAppliesTo;
  source_program_id: string | null;
  tier: string | null;
  multiplier_numerator: bigint;
  multiplier_denominator: bigint;
  starts_at: Date;
  ends_at: Date;
  ended_at: Date | null;
  created_at: Date;
}): StoredCampaign {
  return {
    id: row.id,
    programId: row.program_id,
    createdBy: row.created_by,
    name: row.name,
    appliesTo: row.applies_to,
    sourceProgramId: row.source_program_id,
    tier: row.tier,
    multiplier: { numerator: row.multiplier_numerator, denominator: row.multiplier_denominator },
    startsAt: row.starts_at,
    endsAt: row.ended_at && row.ended_at < row.ends_at ? row.ended_at : row.ends_at,
    plannedEndsAt: row.ends_at,
    endedAt: row.ended_at,
    createdAt: row.created_at,
  };
}

/** The moment a campaign stops: its planned end, or earlier when its partner ended it. */
const effectiveEnd = sql<Date>`least(ends_at, coalesce(ended_at, ends_at))`;

export async function insertCampaign(
  db: Kysely<Database>,
  campaign: Omit<StoredCampaign, 'endsAt' | 'endedAt' | 'createdAt'>,
): Promise<StoredCampaign> {
  const row = await db
    .insertInto('program_campaigns')
    .values({
      id: campaign.id,
      program_id: campaign.programId,
      created_by: campaign.createdBy,
      name: campaign.name,
      applies_to: campaign.appliesTo,
      source_program_id: campaign.sourceProgramId,
      tier: campaign.tier,
      multiplier_numerator: campaign.multiplier.numerator,
      multiplier_denominator: campaign.multiplier.denominator,
      starts_at: campaign.startsAt,
      ends_at: campaign.plannedEndsAt,
    })
    .returning(campaignColumns)
    .executeTakeFirstOrThrow();
  return toCampaign(row);
}

export async function findCampaign(
  db: Kysely<Database>,
  campaignId: string,
): Promise<StoredCampaign | undefined> {
  const row = await db
    .selectFrom('program_campaigns')
    .select(campaignColumns)
    .where('id', '=', campaignId)
    .executeTakeFirst();
  return row && toCampaign(row);
}

/** Ends a campaign now, unless it has ended already; returns it as it stands. */
export async function endCampaign(
  db: Kysely<Database>,
  campaignId: string,
  at: Date,
): Promise<StoredCampaign> {
  await db
    .updateTable('program_campaigns')
    .set({ ended_at: at })
    .where('id', '=', campaignId)
    .where('ended_at', 'is', null)
    .where('ends_at', '>', at)
    .execute();
  const campaign = await findCampaign(db, campaignId);
  if (!campaign) throw new Error(`campaign ${campaignId} vanished while it was ended`);
  return campaign;
}

/** A programme's campaigns, newest first. */
export async function listProgramCampaigns(
  db: Kysely<Database>,
  input: { programId: string; limit: number },
): Promise<StoredCampaign[]> {
  const rows = await db
    .selectFrom('program_campaigns')
    .select(campaignColumns)
    .where('program_id', '=', input.programId)
    .orderBy('id', 'desc')
    .limit(input.limit)
    .execute();
  return rows.map(toCampaign);
}

/** The campaigns of one kind running at a programme at a moment, and the programme's cap, in one read. */
export async function runningCampaigns(
  db: Kysely<Database>,
  input: { programId: string; appliesTo: CampaignAppliesTo; at: Date },
): Promise<{ running: StoredCampaign[]; cap: Ratio }> {
  const [rows, cap] = await Promise.all([
    db
      .selectFrom('program_campaigns')
      .select(campaignColumns)
      .where('program_id', '=', input.programId)
      .where('applies_to', '=', input.appliesTo)
      .where('starts_at', '<=', input.at)
      .where('ends_at', '>', input.at)
      .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', input.at)]))
      .orderBy('id')
      .execute(),
    readCampaignCap(db, input.programId),
  ]);
  return { running: rows.map(toCampaign), cap };
}

/** Of these campaigns, the ones running at `at` (started, neither over nor ended early). */
export async function campaignsRunning(
  db: Kysely<Database>,
  campaignIds: readonly string[],
  at: Date,
): Promise<string[]> {
  if (campaignIds.length === 0) return [];
  const rows = await db
    .selectFrom('program_campaigns')
    .select('id')
    .where('id', 'in', campaignIds)
    .where('starts_at', '<=', at)
    .where(effectiveEnd, '>', at)
    .execute();
  return rows.map((row) => row.id);
}

/**
 * Every transfer campaign not yet over, or over too recently for the quotes it raised to be spent,
 * and every cap set, for the arbitrage check's best cases.
 */
export async function campaignsInPlay(
  db: Kysely<Database>,
  now: Date,
): Promise<{ campaigns: StoredCampaign[]; caps: Map<string, Ratio> }> {
  const [rows, caps] = await Promise.all([
    db
      .selectFrom('program_campaigns')
      .select(campaignColumns)
      .where('applies_to', '=', 'transfers_in')
      .where(effectiveEnd, '>', endedStillQuotedSince(now))
      .execute(),
    db.selectFrom('program_campaign_caps').selectAll().execute(),
  ]);
  return {
    campaigns: rows.map(toCampaign),
    caps: new Map(
      caps.map((cap) => [cap.program_id, { numerator: cap.cap_numerator, denominator: cap.cap_denominator }]),
    ),
  };
}

export async function readCampaignCap(db: Kysely<Database>, programId: string): Promise<Ratio> {
  const row = await db
    .selectFrom('program_campaign_caps')
    .select(['cap_numerator', 'cap_denominator'])
    .where('program_id', '=', programId)
    .executeTakeFirst();
  return row ? { numerator: row.cap_numerator, denominator: row.cap_denominator } : defaultCampaignCap;
}

export async function setCampaignCap(db: Kysely<Database>, programId: string, cap: Ratio): Promise<void> {
  await db
    .insertInto('program_campaign_caps')
    .values({ program_id: programId, cap_numerator: cap.numerator, cap_denominator: cap.denominator })
    .onConflict((conflict) =>
      conflict.column('program_id').doUpdateSet({
        cap_numerator: cap.numerator,
        cap_denominator: cap.denominator,
        updated_at: sql`now()`,
      }),
    )
    .execute();
}

/**
 * What `runningCampaigns` reads, as two json columns for a caller's own statement (a quote reads
 * them beside its other reads, in one round trip); `campaignsFromJson` and `campaignCapFromJson`
 * give them back as `runningCampaigns` would. Amounts travel as text, so no bigint becomes a number.
 */
export function runningCampaignsJson(input: { programId: unknown; appliesTo: unknown; at: unknown }) {
  const { programId, appliesTo, at } = input;
  return {
    campaigns: sql<unknown>`(
      select coalesce(json_agg(json_build_object(
        'id', id, 'program_id', program_id, 'created_by', created_by, 'name', name,
        'applies_to', applies_to, 'source_program_id', source_program_id, 'tier', tier,
        'multiplier_numerator', multiplier_numerator::text,
        'multiplier_denominator', multiplier_denominator::text,
        'starts_at', starts_at, 'ends_at', ends_at, 'ended_at', ended_at, 'created_at', created_at
      ) order by id), '[]')
      from program_campaigns
      where program_id = ${programId} and applies_to = ${appliesTo}
        and starts_at <= ${at} and ends_at > ${at} and (ended_at is null or ended_at > ${at}))`,
    cap: sql<unknown>`(
      select json_build_object('numerator', cap_numerator::text, 'denominator', cap_denominator::text)
      from program_campaign_caps where program_id = ${programId})`,
  };
}

type JsonCampaign = { [Key in (typeof campaignColumns)[number]]: string | null };

export function campaignsFromJson(value: unknown): StoredCampaign[] {
  const date = (text: string | null) => (text === null ? null : new Date(text));
  return (value as JsonCampaign[]).map((row) =>
    toCampaign({
      id: String(row.id),
      program_id: String(row.program_id),
      created_by: String(row.created_by),
      name: String(row.name),
      applies_to: row.applies_to as CampaignAppliesTo,
      source_program_id: row.source_program_id,
      tier: row.tier,
      multiplier_numerator: BigInt(String(row.multiplier_numerator)),
      multiplier_denominator: BigInt(String(row.multiplier_denominator)),
      starts_at: date(row.starts_at) as Date,
      ends_at: date(row.ends_at) as Date,
      ended_at: date(row.ended_at),
      created_at: date(row.created_at) as Date,
    }),
  );
}

export function campaignCapFromJson(value: unknown): Ratio {
  if (value === null) return defaultCampaignCap;
  const { numerator, denominator } = value as { numerator: string; denominator: string };
  return { numerator: BigInt(numerator), denominator: BigInt(denominator) };
}
