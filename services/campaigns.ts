// The campaign use case: a partner schedules a bonus on transfers into its own programme (all of
// them, those from one source programme, or one tier's) or on the points members earn in it at
// merchants, ends one early, sets how far campaigns may stack, and reads them. A transfer campaign
// or cap that would open a rate-arbitrage cycle is refused as a rate would be, under the same lock
// on the rate graph. Quotes and accruals read the running campaigns here.
import type { Kysely, Transaction } from 'kysely';
import { compareRatios, type Ratio } from '../domain/arithmetic.ts';
import {
  bestCaseBoost,
  type CampaignAppliesTo,
  campaignsApplying,
  defaultCampaignCap,
  type ProgrammeCampaign,
  refuseCampaignArbitrage,
} from '../domain/campaigns.ts';
import { ProblemError } from '../domain/errors.ts';
import type { RateTerms } from '../domain/rate-terms.ts';
import {
  campaignsInPlay,
  endCampaign,
  findCampaign,
  insertCampaign,
  listProgramCampaigns,
  readCampaignCap,
  runningCampaigns,
  type StoredCampaign,
  setCampaignCap,
} from '../store/campaigns.ts';
import type { Database } from '../store/database.ts';
import { newId } from '../store/ids.ts';
import { lockRateGraph, rateEdges } from '../store/rate-agreements.ts';
import { inTransaction } from '../store/transaction.ts';
import type { ServiceContext } from './context.ts';
import { requireOwnProgram, requireProgram } from './programs.ts';

/** What every version's best case gains from the campaigns of its target programme. */
export type CampaignBoost = (terms: RateTerms) => Ratio;

/** The boost of each agreement edge from the campaigns not yet over (with `change` applied first). */
export async function campaignBoosts(
  trx: Transaction<Database>,
  now: Date,
  change: { campaign?: ProgrammeCampaign; cap?: { programId: string; cap: Ratio } } = {},
): Promise<CampaignBoost> {
  const { campaigns, caps } = await campaignsInPlay(trx, now);
  const all: ProgrammeCampaign[] = change.campaign ? [...campaigns, change.campaign] : campaigns;
  if (change.cap) caps.set(change.cap.programId, change.cap.cap);
  return (terms) => bestCaseBoost(terms, all, caps.get(terms.targetProgramId) ?? defaultCampaignCap);
}

/** Checks, under the rate graph's lock, that the change opens no cycle through the programme's edges. */
async function refuseArbitrageOf(
  trx: Transaction<Database>,
  now: Date,
  change: { campaign?: ProgrammeCampaign; cap?: { programId: string; cap: Ratio } },
  touches: (edge: { sourceProgramId: string; targetProgramId: string }) => boolean,
  field: string,
): Promise<void> {
  await lockRateGraph(trx);
  const edges = await rateEdges(trx, now, await campaignBoosts(trx, now, change));
  refuseCampaignArbitrage(edges, touches, field);
}

export interface NewCampaign {
  programId: string;
  name: string;
  appliesTo: CampaignAppliesTo;
  sourceProgramId: string | null;
  tier: string | null;
  multiplier: Ratio;
  startsAt: Date;
  endsAt: Date;
}

export async function scheduleCampaign(
  context: ServiceContext,
  input: { partnerId: string; campaign: NewCampaign; now: Date },
): Promise<StoredCampaign> {
  const { campaign, now } = input;
  await requireOwnProgram(context, input.partnerId, campaign.programId, 'programId');
  if (campaign.sourceProgramId !== null) {
    await requireProgram(context, campaign.sourceProgramId, 'sourceProgramId');
    if (campaign.sourceProgramId === campaign.programId) {
      throw new ProblemError('validation_failed', 'A transfer never comes from its own programme.', [
        { field: 'sourceProgramId', message: 'the campaign’s own programme' },
      ]);
    }
  }
  if (campaign.endsAt <= now) {
    throw new ProblemError('validation_failed', 'The campaign would be over before it is scheduled.', [
      { field: 'endsAt', message: 'in the past' },
    ]);
  }
  const id = newId('cmp');
  return inTransaction(context.db, async (trx) => {
    if (campaign.appliesTo === 'transfers_in') {
      await refuseArbitrageOf(
        trx,
        now,
        { campaign: { ...campaign, id } },
        (edge) =>
          edge.targetProgramId === campaign.programId &&
          (campaign.sourceProgramId === null || edge.sourceProgramId === campaign.sourceProgramId),
        'multiplier',
      );
    }
    return insertCampaign(trx, {
      ...campaign,
      id,
      createdBy: input.partnerId,
      plannedEndsAt: campaign.endsAt,
    });
  });
}

/** Ends a campaign now (a repeat, or one already over, changes nothing); quotes made before keep it. */
export async function endProgramCampaign(
  context: ServiceContext,
  input: { partnerId: string; campaignId: string; now: Date },
): Promise<StoredCampaign> {
  const campaign = await findCampaign(context.db, input.campaignId);
  if (!campaign) throw new ProblemError('not_found', `Campaign ${input.campaignId} does not exist.`);
  const program = await requireProgram(context, campaign.programId, 'campaignId');
  if (program.partner_id !== input.partnerId) {
    throw new ProblemError('not_found', `Campaign ${input.campaignId} does not exist.`);
  }
  return endCampaign(context.db, input.campaignId, input.now);
}

/** Sets how far campaigns may stack on transfers into the programme; a higher cap is checked for arbitrage. */
export async function setProgramCampaignCap(
  context: ServiceContext,
  input: { partnerId: string; programId: string; cap: Ratio; now: Date },
): Promise<Ratio> {
  await requireOwnProgram(context, input.partnerId, input.programId, 'path.programId');
  return inTransaction(context.db, async (trx) => {
    const current = await readCampaignCap(trx, input.programId);
    if (compareRatios(input.cap, current) > 0) {
      await refuseArbitrageOf(
        trx,
        input.now,
        { cap: { programId: input.programId, cap: input.cap } },
        (edge) => edge.targetProgramId === input.programId,
        'cap',
      );
    }
    await setCampaignCap(trx, input.programId, input.cap);
    return input.cap;
  });
}

/** A programme's cap and campaigns (newest first), to its owner. */
export async function readProgramCampaigns(
  context: ServiceContext,
  input: { partnerId: string; programId: string },
): Promise<{ cap: Ratio; campaigns: StoredCampaign[] }> {
  await requireOwnProgram(context, input.partnerId, input.programId, 'path.programId');
  const [cap, campaigns] = await Promise.all([
    readCampaignCap(context.db, input.programId),
    listProgramCampaigns(context.db, { programId: input.programId, limit: 100 }),
  ]);
  return { cap, campaigns };
}

/** Every campaign of one kind running at a programme now, for any member, and the programme's cap. */
export function campaignsRunning(
  db: Kysely<Database>,
  input: { appliesTo: CampaignAppliesTo; programId: string; at: Date },
): Promise<{ running: ProgrammeCampaign[]; cap: Ratio }> {
  return runningCampaigns(db, input);
}

/**
 * The campaigns of a programme that apply to one operation now, and the cap: what an accrual stacks
 * on its tier bonus (`appliesTo: 'accruals'`, no source programme, the member's tier there) with
 * domain/campaigns.ts stackCampaigns (docs/campaigns.md).
 */
export async function campaignsFor(
  db: Kysely<Database>,
  operation: {
    appliesTo: CampaignAppliesTo;
    programId: string;
    sourceProgramId: string | null;
    tier: string | null;
    at: Date;
  },
): Promise<{ running: ProgrammeCampaign[]; cap: Ratio }> {
  const { running, cap } = await runningCampaigns(db, operation);
  return { running: campaignsApplying(running, operation), cap };
}
