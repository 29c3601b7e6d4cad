// A quote: what a transfer between two programmes would debit, credit, cost and settle, under the
// agreement in force, the member's tier and any running campaign. Pure: every input is passed in.
import {
  basisPointsPerWhole,
  divideCeil,
  divideFloor,
  divideHalfUp,
  int8Max,
  minBigint,
  multiplyRatios,
  type Ratio,
} from './arithmetic.ts';
import {
  type CampaignModifier,
  defaultCampaignCap,
  type ProgrammeCampaign,
  stackCampaigns,
} from './campaigns.ts';
import { ProblemError } from './errors.ts';
import { type AppliedModifier, effectiveRatio, isInForce, type RateTerms } from './rate-terms.ts';

export type QuoteAmount = { sourcePoints: bigint } | { targetPoints: bigint };

export interface QuoteInput {
  terms: RateTerms;
  memberTier: string | null;
  amount: QuoteAmount;
  at: Date;
  /** Source points the member already had debited today (UTC) between these programmes. */
  debitedTodaySourcePoints: bigint;
  /** While the member's link to the source programme is new, transfers out are capped lower. */
  coolingOffCapSourcePoints: bigint | null;
  /** The target programme's own campaigns running for this transfer, and its owner's stacking cap. */
  campaigns?: { running: readonly ProgrammeCampaign[]; cap: Ratio };
}

export interface QuoteFigures {
  /** Source points converted into destination points. */
  convertedSourcePoints: bigint;
  /** Source points taken from the member as the alliance fee (when the member pays it). */
  feePoints: bigint;
  /** Everything taken from the member: converted plus fee points. */
  debitPoints: bigint;
  creditPoints: bigint;
  /** The part of a destination point not credited because of rounding down: numerator / denominator. */
  creditRemainder: Ratio;
  ratio: Ratio;
  modifiers: (AppliedModifier | CampaignModifier)[];
  /** Money the source partner owes the target partner for this credit. */
  settlementAmountMinor: bigint;
  /** Money the source partner owes the alliance as fee (when the partner pays it). */
  feeAmountMinor: bigint;
  currency: string;
  /** Source points this member may have debited in a day, the cooling-off cap included. */
  dailyCapSourcePoints: bigint;
}

function convert(amount: QuoteAmount, ratio: Ratio): { converted: bigint; credit: bigint; remainder: Ratio } {
  const converted =
    'sourcePoints' in amount
      ? amount.sourcePoints
      : divideCeil(amount.targetPoints * ratio.denominator, ratio.numerator);
  const scaled = converted * ratio.numerator;
  return {
    converted,
    credit: divideFloor(scaled, ratio.denominator),
    remainder: { numerator: scaled % ratio.denominator, denominator: ratio.denominator },
  };
}

export function computeQuote(input: QuoteInput): QuoteFigures {
  const { terms } = input;
  if (!isInForce(terms, input.at)) {
    throw new ProblemError('agreement_not_in_force', 'The agreement is outside its effective window.');
  }
  const agreed = effectiveRatio(terms, input.memberTier, input.at);
  const stack = stackCampaigns({
    agreementMultiplier: agreed.modifiers.find((modifier) => modifier.kind === 'campaign')?.multiplier ?? {
      numerator: 1n,
      denominator: 1n,
    },
    campaigns: input.campaigns?.running ?? [],
    cap: input.campaigns?.cap ?? defaultCampaignCap,
  });
  const boosted = stack.boost.numerator !== stack.boost.denominator;
  const ratio = boosted ? multiplyRatios(agreed.ratio, stack.boost) : agreed.ratio;
  const modifiers = [...agreed.modifiers, ...stack.modifiers];
  const { converted, credit, remainder } = convert(input.amount, ratio);

  if (converted < terms.sourcePointsMin || credit === 0n) {
    throw new ProblemError(
      'amount_below_minimum',
      `Transfers start at ${terms.sourcePointsMin} source points.`,
      [
        {
          field: 'sourcePoints' in input.amount ? 'sourcePoints' : 'targetPoints',
          message: 'below the minimum',
        },
      ],
    );
  }
  if (converted > terms.sourcePointsMax) {
    throw new ProblemError(
      'amount_above_maximum',
      `Transfers stop at ${terms.sourcePointsMax} source points.`,
      [
        {
          field: 'sourcePoints' in input.amount ? 'sourcePoints' : 'targetPoints',
          message: 'above the maximum',
        },
      ],
    );
  }

  const feePoints =
    terms.feePayer === 'member' ? divideFloor(converted * terms.feeBasisPoints, basisPointsPerWhole) : 0n;
  const debitPoints = converted + feePoints;
  const capSourcePoints = minBigint(
    terms.memberDailyCapSourcePoints,
    input.coolingOffCapSourcePoints ?? terms.memberDailyCapSourcePoints,
  );
  requireWithinDailyCap({
    debitedTodaySourcePoints: input.debitedTodaySourcePoints,
    debitPoints,
    capSourcePoints,
    coolingOff:
      input.coolingOffCapSourcePoints !== null &&
      input.coolingOffCapSourcePoints < terms.memberDailyCapSourcePoints,
  });

  requireStorable(
    { debitPoints, creditPoints: credit },
    'sourcePoints' in input.amount ? 'sourcePoints' : 'targetPoints',
  );

  // The target partner pays for its own campaign: the source partner settles what the agreement gives.
  const settledCredit = boosted
    ? divideFloor(converted * agreed.ratio.numerator, agreed.ratio.denominator)
    : credit;
  const settlementAmountMinor = divideHalfUp(
    settledCredit * terms.settlementAmountMinor,
    terms.settlementPerTargetPoints,
  );
  const feeAmountMinor =
    terms.feePayer === 'source_partner'
      ? divideHalfUp(settlementAmountMinor * terms.feeBasisPoints, basisPointsPerWhole)
      : 0n;
  return {
    convertedSourcePoints: converted,
    feePoints,
    debitPoints,
    creditPoints: credit,
    creditRemainder: remainder,
    ratio,
    modifiers,
    settlementAmountMinor,
    feeAmountMinor,
    currency: terms.settlementCurrency,
    dailyCapSourcePoints: capSourcePoints,
  };
}

/**
 * The member's daily cap out of a programme: what was debited today plus this debit may not pass
 * it. Checked when a quote is made and again, under a lock, when its transfer is created.
 */
export function requireWithinDailyCap(input: {
  debitedTodaySourcePoints: bigint;
  debitPoints: bigint;
  capSourcePoints: bigint;
  /** The cap is the cooling-off cap of a new link (a different code tells the member why). */
  coolingOff: boolean;
}): void {
  if (input.debitedTodaySourcePoints + input.debitPoints <= input.capSourcePoints) return;
  const left = input.capSourcePoints - input.debitedTodaySourcePoints;
  throw new ProblemError(
    input.coolingOff ? 'link_cooling_off' : 'daily_cap_exceeded',
    `At most ${left > 0n ? left : 0n} more source points can be moved today.`,
  );
}

/** A figure a ledger could not hold is refused before anything is written, naming the request's amount. */
function requireStorable(figures: Record<string, bigint>, field: string): void {
  for (const [name, value] of Object.entries(figures)) {
    if (value > int8Max) {
      throw new ProblemError('amount_out_of_range', `The ${name} of this transfer would pass ${int8Max}.`, [
        { field, message: 'too large for the ledger' },
      ]);
    }
  }
}
