// The terms of one version of a rate agreement between two programmes, and the modifiers that
// change its ratio for a member: a better ratio for a tier, a multiplier during a campaign.
import { compareRatios, multiplyRatios, type Ratio } from './arithmetic.ts';

export type FeePayer = 'source_partner' | 'member';

/** Who bears the points a reversal cannot take back because the target member spent them. */
export type ShortfallPayer = 'source_partner' | 'target_partner';

export interface TierRatio {
  tier: string;
  /** Destination points credited per `fromPoints` source points. */
  fromPoints: bigint;
  toPoints: bigint;
}

export interface Campaign {
  name: string;
  startsAt: Date;
  endsAt: Date;
  /** Multiplies the credit while the campaign runs: 2/1 is a "double points day". */
  multiplier: Ratio;
}

export interface RateTerms {
  sourceProgramId: string;
  targetProgramId: string;
  fromPoints: bigint;
  toPoints: bigint;
  /** The member is credited the floor of the converted amount; the remainder is reported. */
  rounding: 'floor';
  feeBasisPoints: bigint;
  feePayer: FeePayer;
  reversalShortfallPayer: ShortfallPayer;
  sourcePointsMin: bigint;
  sourcePointsMax: bigint;
  memberDailyCapSourcePoints: bigint;
  /** What the source partner pays the target partner: `settlementAmountMinor` per `settlementPerTargetPoints`. */
  settlementAmountMinor: bigint;
  settlementPerTargetPoints: bigint;
  settlementCurrency: string;
  tierRatios: readonly TierRatio[];
  campaigns: readonly Campaign[];
  /**
   * Points a transfer credits expire no sooner than this many days after the transfer, even when the
   * points that paid for them expire sooner (never later than the target programme's own rule).
   * Absent or null: the credit expires no later than what paid for it.
   */
  minRemainingLifeDays?: number | null;
  effectiveFrom: Date;
  effectiveUntil: Date | null;
}

export type AppliedModifier =
  | { kind: 'tier'; tier: string; fromPoints: bigint; toPoints: bigint }
  | { kind: 'campaign'; name: string; multiplier: Ratio };

export function baseRatio(terms: RateTerms): Ratio {
  return { numerator: terms.toPoints, denominator: terms.fromPoints };
}

function tierRatio(tier: TierRatio): Ratio {
  return { numerator: tier.toPoints, denominator: tier.fromPoints };
}

/**
 * The ratio that applies to a member at a moment: the tier's ratio when it is better than the base
 * one, times the best campaign running then. Returns the modifiers it applied, for the quote.
 */
export function effectiveRatio(
  terms: RateTerms,
  memberTier: string | null,
  at: Date,
): { ratio: Ratio; modifiers: AppliedModifier[] } {
  let ratio = baseRatio(terms);
  const modifiers: AppliedModifier[] = [];
  const tier = terms.tierRatios.find((candidate) => candidate.tier === memberTier);
  if (tier && compareRatios(tierRatio(tier), ratio) > 0) {
    ratio = tierRatio(tier);
    modifiers.push({ kind: 'tier', tier: tier.tier, fromPoints: tier.fromPoints, toPoints: tier.toPoints });
  }
  const running = terms.campaigns.filter((campaign) => campaign.startsAt <= at && at < campaign.endsAt);
  const best = running.reduce<Campaign | undefined>(
    (chosen, campaign) =>
      !chosen || compareRatios(campaign.multiplier, chosen.multiplier) > 0 ? campaign : chosen,
    undefined,
  );
  if (best && compareRatios(best.multiplier, { numerator: 1n, denominator: 1n }) > 0) {
    ratio = multiplyRatios(ratio, best.multiplier);
    modifiers.push({ kind: 'campaign', name: best.name, multiplier: best.multiplier });
  }
  return { ratio, modifiers };
}

/** The most a member could ever get through these terms: the best tier times the best campaign. */
export function bestCaseRatio(terms: RateTerms): Ratio {
  const ratios = [baseRatio(terms), ...terms.tierRatios.map(tierRatio)];
  const bestTier = ratios.reduce((best, ratio) => (compareRatios(ratio, best) > 0 ? ratio : best));
  const multipliers = terms.campaigns.map((campaign) => campaign.multiplier);
  const bestMultiplier = multipliers.reduce(
    (best, multiplier) => (compareRatios(multiplier, best) > 0 ? multiplier : best),
    { numerator: 1n, denominator: 1n },
  );
  return multiplyRatios(bestTier, bestMultiplier);
}

export function isInForce(terms: Pick<RateTerms, 'effectiveFrom' | 'effectiveUntil'>, at: Date): boolean {
  return terms.effectiveFrom <= at && (terms.effectiveUntil === null || at < terms.effectiveUntil);
}
