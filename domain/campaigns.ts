// Campaigns a partner runs on its own programme (a bonus on transfers into it, or on accruals),
// beside the campaigns an agreement's terms carry. Every campaign that applies stacks, but the
// product of the agreement's campaign and the programme's never passes the cap the programme's
// owner set; and since the agreement's own terms were accepted by both sides, the cap never takes
// away what they give. Pure: the caller passes the campaigns, the cap and the moment.

import { findArbitrageCycle, type RateEdge } from './arbitrage.ts';
import { compareRatios, type Ratio } from './arithmetic.ts';
import { ProblemError } from './errors.ts';
import type { RateTerms } from './rate-terms.ts';

export type CampaignAppliesTo = 'transfers_in' | 'accruals';

export interface ProgrammeCampaign {
  id: string;
  programId: string;
  name: string;
  appliesTo: CampaignAppliesTo;
  /** Only transfers from this programme; null: every transfer into `programId`. */
  sourceProgramId: string | null;
  /** Only members with this tier at `programId`; null: every member. */
  tier: string | null;
  startsAt: Date;
  /** The earlier of its planned end and the moment its partner ended it. */
  endsAt: Date;
  /** More than one: 2/1 doubles the points. */
  multiplier: Ratio;
}

/** The cap of a programme whose owner set none: campaigns stack to double points at most. */
export const defaultCampaignCap: Ratio = { numerator: 2n, denominator: 1n };

const one: Ratio = { numerator: 1n, denominator: 1n };

export type CampaignModifier =
  | { kind: 'programme_campaign'; campaignId: string; name: string; multiplier: Ratio }
  | { kind: 'campaign_cap'; cap: Ratio; stackedMultiplier: Ratio };

function gcd(a: bigint, b: bigint): bigint {
  let [x, y] = [a, b];
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** The same ratio in lowest terms, so stacked multipliers stay small. */
export function lowestTerms(ratio: Ratio): Ratio {
  const divisor = gcd(ratio.numerator, ratio.denominator);
  return { numerator: ratio.numerator / divisor, denominator: ratio.denominator / divisor };
}

function times(left: Ratio, right: Ratio): Ratio {
  return lowestTerms({
    numerator: left.numerator * right.numerator,
    denominator: left.denominator * right.denominator,
  });
}

function dividedBy(left: Ratio, right: Ratio): Ratio {
  return lowestTerms({
    numerator: left.numerator * right.denominator,
    denominator: left.denominator * right.numerator,
  });
}

const larger = (left: Ratio, right: Ratio) => (compareRatios(left, right) >= 0 ? left : right);
const smaller = (left: Ratio, right: Ratio) => (compareRatios(left, right) <= 0 ? left : right);

/** The campaigns of one kind that apply to this operation at this moment. */
export function campaignsApplying(
  campaigns: readonly ProgrammeCampaign[],
  operation: {
    appliesTo: CampaignAppliesTo;
    programId: string;
    sourceProgramId: string | null;
    tier: string | null;
    at: Date;
  },
): ProgrammeCampaign[] {
  return campaigns.filter(
    (campaign) =>
      campaign.appliesTo === operation.appliesTo &&
      campaign.programId === operation.programId &&
      (campaign.sourceProgramId === null || campaign.sourceProgramId === operation.sourceProgramId) &&
      (campaign.tier === null || campaign.tier === operation.tier) &&
      campaign.startsAt <= operation.at &&
      operation.at < campaign.endsAt,
  );
}

/**
 * What the programme's campaigns add on top of the agreement's own campaign (`agreementMultiplier`,
 * one when none runs): the factor to multiply the agreement's ratio by, at least one, and the
 * modifiers a quote shows. The stack is agreement × every campaign, held to `cap`, never below the
 * agreement's own multiplier.
 */
export function stackCampaigns(input: {
  agreementMultiplier: Ratio;
  campaigns: readonly ProgrammeCampaign[];
  cap: Ratio;
}): { boost: Ratio; modifiers: CampaignModifier[] } {
  if (input.campaigns.length === 0) return { boost: one, modifiers: [] };
  const product = input.campaigns.reduce(
    (stacked, campaign) => times(stacked, campaign.multiplier),
    lowestTerms(input.agreementMultiplier),
  );
  const stacked = larger(input.agreementMultiplier, smaller(input.cap, product));
  const modifiers: CampaignModifier[] = input.campaigns.map((campaign) => ({
    kind: 'programme_campaign',
    campaignId: campaign.id,
    name: campaign.name,
    multiplier: campaign.multiplier,
  }));
  if (compareRatios(product, stacked) > 0) {
    modifiers.push({ kind: 'campaign_cap', cap: input.cap, stackedMultiplier: lowestTerms(stacked) });
  }
  return { boost: dividedBy(stacked, input.agreementMultiplier), modifiers };
}

/** The best multiplier among an agreement version's own campaigns (one when it has none). */
export function bestAgreementCampaign(terms: Pick<RateTerms, 'campaigns'>): Ratio {
  return terms.campaigns.reduce((best, campaign) => larger(campaign.multiplier, best), one);
}

/**
 * The most the programme's campaigns could ever add to an agreement version's best case: every
 * campaign not yet ended on its edge, stacked as if they all ran at once, for the luckiest member.
 * The arbitrage check multiplies the version's best case by it.
 */
export function bestCaseBoost(
  terms: Pick<RateTerms, 'campaigns' | 'sourceProgramId' | 'targetProgramId'>,
  campaigns: readonly ProgrammeCampaign[],
  cap: Ratio,
): Ratio {
  const onEdge = campaigns.filter(
    (campaign) =>
      campaign.appliesTo === 'transfers_in' &&
      campaign.programId === terms.targetProgramId &&
      (campaign.sourceProgramId === null || campaign.sourceProgramId === terms.sourceProgramId),
  );
  return stackCampaigns({ agreementMultiplier: bestAgreementCampaign(terms), campaigns: onEdge, cap }).boost;
}

/**
 * Refuses a campaign change (a new campaign, a higher cap) that would close a cycle yielding more
 * points than it takes. The graph had no such cycle before, and a simple cycle enters the
 * campaign's programme by one edge only, so checking each changed edge against the rest is enough.
 */
export function refuseCampaignArbitrage(
  edges: readonly RateEdge[],
  changed: (edge: RateEdge) => boolean,
  field: string,
): void {
  for (const edge of edges.filter(changed)) {
    const cycle = findArbitrageCycle(edges, edge);
    if (cycle) {
      throw new ProblemError(
        'rate_arbitrage',
        `With this campaign, going round ${cycle.join(' → ')} would yield more points than it takes.`,
        [{ field, message: `opens the cycle ${cycle.join(' → ')}` }],
      );
    }
  }
}
