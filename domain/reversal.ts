// The figures of a reversal (clawback) of a completed transfer, wholly or in part. A reversal names
// the source points to give back; the destination points to take back and the settlement amount to
// return follow from the transfer's own figures, computed on the running total of its reversals so
// that reversing a transfer in any number of parts adds up to exactly the whole, never more.
import { ProblemError } from './errors.ts';
import type { ShortfallPayer } from './rate-terms.ts';

/** A transfer's figures, or the sum of its reversals' figures. */
export interface ReversalFigures {
  sourcePoints: bigint;
  targetPoints: bigint;
  settlementAmountMinor: bigint;
}

function proportion(whole: bigint, part: bigint, of: bigint): bigint {
  return (whole * part) / of;
}

const atLeastZero = (value: bigint) => (value > 0n ? value : 0n);

/**
 * What a new reversal asks for. `earlier` sums the reversals that count against the transfer (those
 * not failed); `sourcePoints` null asks for everything left. Refused when it asks for more than is
 * left, or when it would take back no destination point.
 */
export function planReversal(input: {
  transfer: ReversalFigures;
  earlier: ReversalFigures;
  sourcePoints: bigint | null;
}): ReversalFigures {
  const { transfer, earlier } = input;
  const left = transfer.sourcePoints - earlier.sourcePoints;
  const sourcePoints = input.sourcePoints ?? left;
  if (left <= 0n || sourcePoints > left) {
    throw new ProblemError(
      'reversal_exceeds_transfer',
      `${left > 0n ? left : 0n} of the transfer's ${transfer.sourcePoints} source points are left to reverse.`,
      [{ field: 'sourcePoints', message: `at most ${left > 0n ? left : 0n}` }],
    );
  }
  const total = earlier.sourcePoints + sourcePoints;
  const plan = {
    sourcePoints,
    targetPoints: atLeastZero(
      proportion(transfer.targetPoints, total, transfer.sourcePoints) - earlier.targetPoints,
    ),
    settlementAmountMinor: atLeastZero(
      proportion(transfer.settlementAmountMinor, total, transfer.sourcePoints) -
        earlier.settlementAmountMinor,
    ),
  };
  if (plan.targetPoints === 0n) {
    throw new ProblemError(
      'reversal_too_small',
      `${sourcePoints} source points are less than one destination point at this transfer's ratio.`,
      [{ field: 'sourcePoints', message: 'too small to take back a destination point' }],
    );
  }
  return plan;
}

export interface ReversalResult {
  /** Source points credited back to the member. */
  returnedSourcePoints: bigint;
  /** What the target partner now owes the source partner. */
  reversedAmountMinor: bigint;
  /** Destination points asked for that the member no longer had. */
  shortfallTargetPoints: bigint;
}

/**
 * What a reversal achieved once the target said how much it took back. A shortfall borne by the
 * source partner shrinks what is returned and owed in proportion; one borne by the target partner
 * changes neither (the target partner returns the full amount and recovers what it can).
 */
export function reversalResult(
  plan: ReversalFigures,
  takenTargetPoints: bigint,
  payer: ShortfallPayer,
): ReversalResult {
  const taken = takenTargetPoints < plan.targetPoints ? takenTargetPoints : plan.targetPoints;
  const shortfallTargetPoints = plan.targetPoints - taken;
  if (shortfallTargetPoints === 0n || payer === 'target_partner') {
    return {
      returnedSourcePoints: plan.sourcePoints,
      reversedAmountMinor: plan.settlementAmountMinor,
      shortfallTargetPoints,
    };
  }
  return {
    returnedSourcePoints: proportion(plan.sourcePoints, taken, plan.targetPoints),
    reversedAmountMinor: proportion(plan.settlementAmountMinor, taken, plan.targetPoints),
    shortfallTargetPoints,
  };
}

/**
 * What a reversal counts against its transfer: what it asked while it runs (or when its end is
 * uncertain), what it achieved once it completed, nothing once it failed before taking anything.
 * One that failed after its take-back was restored at the target (the source refused the points)
 * counts what it asked: at the partner that part of the credit is reversed, and the points the member
 * has again came from a new credit, which a later reversal of the transfer cannot take back.
 */
export function countedFigures(reversal: {
  status: 'pending' | 'taken' | 'completed' | 'failed' | 'needs_attention';
  plan: ReversalFigures;
  takenTargetPoints: bigint | null;
  result: Pick<ReversalResult, 'returnedSourcePoints' | 'reversedAmountMinor'> | null;
}): ReversalFigures {
  if (reversal.status === 'failed') {
    return (reversal.takenTargetPoints ?? 0n) > 0n
      ? reversal.plan
      : { sourcePoints: 0n, targetPoints: 0n, settlementAmountMinor: 0n };
  }
  if (reversal.status === 'completed' && reversal.result && reversal.takenTargetPoints !== null) {
    // A shortfall the target partner bore is paid for: its points count as reversed all the same.
    const returnedAll = reversal.result.returnedSourcePoints === reversal.plan.sourcePoints;
    return {
      sourcePoints: reversal.result.returnedSourcePoints,
      targetPoints: returnedAll ? reversal.plan.targetPoints : reversal.takenTargetPoints,
      settlementAmountMinor: reversal.result.reversedAmountMinor,
    };
  }
  return reversal.plan;
}
