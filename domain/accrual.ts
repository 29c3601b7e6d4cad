// The figures of earning at a partner merchant: how many points a purchase earns under an earn
// agreement, what the merchant owes the programme's owner for them, and what a refund of the
// purchase, whole or in part, takes back. Refunds are computed on running totals, so that refunding
// a purchase in any number of parts adds up to exactly the whole, never more.
import { divideFloor, divideHalfUp, minBigint, type Ratio } from './arithmetic.ts';
import {
  type CampaignModifier,
  defaultCampaignCap,
  type ProgrammeCampaign,
  stackCampaigns,
} from './campaigns.ts';
import { ProblemError } from './errors.ts';

export interface TierBonus {
  tier: string;
  /** Multiplies the points earned: 3/2 is "half as much again". Never below 1. */
  multiplier: Ratio;
}

export interface EarnTerms {
  merchantPartnerId: string;
  programId: string;
  purchaseCurrency: string;
  /** `earnPoints` points per `perAmountMinor` of the purchase (minor units), before any bonus. */
  earnPoints: bigint;
  perAmountMinor: bigint;
  tierBonuses: readonly TierBonus[];
  /** The merchant pays the programme's owner `priceAmountMinor` per `pricePerPoints` points. */
  priceAmountMinor: bigint;
  pricePerPoints: bigint;
  priceCurrency: string;
  effectiveFrom: Date;
  effectiveUntil: Date | null;
}

export type AccrualModifier = { kind: 'tier_bonus'; tier: string; multiplier: Ratio } | CampaignModifier;

export interface AccrualFigures {
  /** Every point the member earns, the campaigns' bonus included. */
  points: bigint;
  /** The points the agreement alone gives (with the tier bonus): what the merchant pays for. */
  agreedPoints: bigint;
  /** What the merchant owes the programme's owner, in the price's currency. */
  amountOwedMinor: bigint;
  currency: string;
  /** The bonus applied for the member's tier, if any. */
  tierBonus: TierBonus | null;
  /** The tier bonus, then each campaign that applied and the cap when it held them back. */
  modifiers: AccrualModifier[];
}

const one: Ratio = { numerator: 1n, denominator: 1n };

/**
 * Points = floor(amount × rate × tier bonus × campaigns), computed in one division so that the
 * bonuses apply to the exact figure, not to an already rounded one; the member gets the floor. The
 * programme's campaigns (double points days, a tier's earn bonus) stack on the tier bonus as they do
 * on an agreement's campaign for transfers (domain/campaigns.ts): never past the programme's cap,
 * never below what the agreement gives alone. The programme that runs a campaign pays for it: the
 * merchant owes the price of the agreed points only. Money owed between partners rounds half up.
 */
export function accrue(input: {
  terms: EarnTerms;
  memberTier: string | null;
  purchaseAmountMinor: bigint;
  purchaseCurrency: string;
  /** The earning programme's accrual campaigns running for this member now, and its cap. */
  campaigns?: { running: readonly ProgrammeCampaign[]; cap: Ratio };
}): AccrualFigures {
  const { terms } = input;
  if (input.purchaseCurrency !== terms.purchaseCurrency) {
    throw new ProblemError(
      'currency_not_agreed',
      `The earn agreement counts purchases in ${terms.purchaseCurrency}, not ${input.purchaseCurrency}.`,
      [{ field: 'purchase.currency', message: `must be ${terms.purchaseCurrency}` }],
    );
  }
  const tierBonus = terms.tierBonuses.find((bonus) => bonus.tier === input.memberTier) ?? null;
  const multiplier = tierBonus?.multiplier ?? one;
  const stack = stackCampaigns({
    agreementMultiplier: multiplier,
    campaigns: input.campaigns?.running ?? [],
    cap: input.campaigns?.cap ?? defaultCampaignCap,
  });
  const earned = (bonus: Ratio) =>
    divideFloor(
      input.purchaseAmountMinor * terms.earnPoints * bonus.numerator,
      terms.perAmountMinor * bonus.denominator,
    );
  const agreedPoints = earned(multiplier);
  const points = earned({
    numerator: multiplier.numerator * stack.boost.numerator,
    denominator: multiplier.denominator * stack.boost.denominator,
  });
  if (points === 0n) {
    throw new ProblemError(
      'accrual_too_small',
      `A purchase of ${input.purchaseAmountMinor} earns less than one point at ${terms.earnPoints} per ${terms.perAmountMinor}.`,
      [{ field: 'purchase.amountMinor', message: 'earns no point' }],
    );
  }
  const tierModifier: AccrualModifier[] = tierBonus
    ? [{ kind: 'tier_bonus', tier: tierBonus.tier, multiplier: tierBonus.multiplier }]
    : [];
  return {
    points,
    agreedPoints,
    amountOwedMinor: divideHalfUp(agreedPoints * terms.priceAmountMinor, terms.pricePerPoints),
    currency: terms.priceCurrency,
    tierBonus,
    modifiers: [...tierModifier, ...stack.modifiers],
  };
}

/** An accrual's figures, or the sum of its refunds' figures. */
export interface RefundFigures {
  refundAmountMinor: bigint;
  points: bigint;
}

/**
 * What a new refund asks for. `earlier` sums the refunds that count against the purchase (every one
 * not failed, at what it asked: points a member no longer had are not asked again by a later
 * refund); `refundAmountMinor` null refunds everything left. Points follow the refunded share of
 * the purchase, on the running total.
 */
export function planRefund(input: {
  purchaseAmountMinor: bigint;
  points: bigint;
  earlier: RefundFigures;
  refundAmountMinor: bigint | null;
}): RefundFigures {
  const left = input.purchaseAmountMinor - input.earlier.refundAmountMinor;
  const refundAmountMinor = input.refundAmountMinor ?? left;
  if (left <= 0n || refundAmountMinor > left) {
    const most = left > 0n ? left : 0n;
    throw new ProblemError(
      'refund_exceeds_purchase',
      `${most} of the purchase's ${input.purchaseAmountMinor} are left to refund.`,
      [{ field: 'refundAmountMinor', message: `at most ${most}` }],
    );
  }
  const total = input.earlier.refundAmountMinor + refundAmountMinor;
  const points = divideFloor(input.points * total, input.purchaseAmountMinor) - input.earlier.points;
  return { refundAmountMinor, points: points > 0n ? points : 0n };
}

export interface RefundResult {
  takenPoints: bigint;
  /** What the programme's owner gives back to the merchant: an obligation of kind accrual_reversal. */
  reversedAmountMinor: bigint;
  /** Points asked that the member no longer had: the merchant keeps paying for them. */
  shortfallPoints: bigint;
}

/**
 * What a refund achieved once the programme said how many points it took back. The merchant is
 * given back the price of the points taken back only, on the running total of the accrual's
 * completed refunds (so the parts never add up past what it owed).
 */
export function refundResult(input: {
  accrualPoints: bigint;
  amountOwedMinor: bigint;
  askedPoints: bigint;
  takenPoints: bigint;
  /** Earlier completed refunds of the accrual: points taken back and amounts given back. */
  earlierTakenPoints: bigint;
  earlierReversedAmountMinor: bigint;
}): RefundResult {
  const taken = minBigint(input.takenPoints, input.askedPoints);
  const reversedTotal = divideFloor(
    input.amountOwedMinor * (input.earlierTakenPoints + taken),
    input.accrualPoints,
  );
  const reversed = reversedTotal - input.earlierReversedAmountMinor;
  return {
    takenPoints: taken,
    reversedAmountMinor: reversed > 0n ? reversed : 0n,
    shortfallPoints: input.askedPoints - taken,
  };
}

/** The terms' window contains the moment. */
export function earnTermsInForce(terms: Pick<EarnTerms, 'effectiveFrom' | 'effectiveUntil'>, at: Date) {
  return terms.effectiveFrom <= at && (terms.effectiveUntil === null || at < terms.effectiveUntil);
}
