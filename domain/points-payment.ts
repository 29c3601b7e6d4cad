// What points are worth as cash at a merchant's checkout, under a cash agreement's price
// (`amountMinor` per `perPoints` points), and how far a payment may be captured and refunded.
// Money rounds half up, as everything owed between partners does; a payment asked in money takes
// the fewest points worth at least that much, so the merchant is never paid short.
import { divideCeil, divideHalfUp, int8Max, minBigint } from './arithmetic.ts';
import { ProblemError } from './errors.ts';

export interface CashPrice {
  amountMinor: bigint;
  perPoints: bigint;
}

/** The money value of `points`, rounded half up. */
export function cashValue(price: CashPrice, points: bigint): bigint {
  return divideHalfUp(points * price.amountMinor, price.perPoints);
}

/** The fewest points worth at least `amountMinor`. */
export function pointsFor(price: CashPrice, amountMinor: bigint): bigint {
  if (amountMinor <= 0n) return divideCeil(amountMinor * price.perPoints, price.amountMinor);
  // cashValue(p) = ⌊(2pA + P) / 2P⌋ reaches M exactly when 2pA ≥ (2M − 1)P: the least such p is a
  // ceiling. A search down from ⌈MP/A⌉ would take P/2A steps, and a price of 10¹² points to the cent
  // would hold the event loop for hours.
  return divideCeil((2n * amountMinor - 1n) * price.perPoints, 2n * price.amountMinor);
}

export type PaymentAmount = { points: bigint } | { amountMinor: bigint };

/** The request field an amount was asked in. */
export type AmountField = 'points' | 'amountMinor';

export const amountField = (amount: PaymentAmount): AmountField =>
  'points' in amount ? 'points' : 'amountMinor';

/** The points an amount asked of a payment stands for. */
export function amountPoints(price: CashPrice, amount: PaymentAmount): bigint {
  const points = 'points' in amount ? amount.points : pointsFor(price, amount.amountMinor);
  if (points <= 0n || points > int8Max) {
    throw new ProblemError('amount_out_of_range', 'The amount is not a number of points a ledger can hold.');
  }
  return points;
}

/**
 * Points worth no money, rounded, are refused as other flows refuse amounts that round to nothing:
 * the member would lose points (or get them back) and nobody would pay for them.
 */
function refuseWorthNothing(points: bigint, field: AmountField, detail: string): never {
  throw new ProblemError('payment_too_small', `${points} points ${detail}.`, [
    { field, message: 'worth no money at the agreement price' },
  ]);
}

/** The points and money an amount asked of a payment (or of its capture) stands for; worth some money. */
export function priceAmount(
  price: CashPrice,
  amount: PaymentAmount,
): { points: bigint; amountMinor: bigint } {
  const points = amountPoints(price, amount);
  const amountMinor = cashValue(price, points);
  if (amountMinor <= 0n) {
    refuseWorthNothing(
      points,
      amountField(amount),
      `are worth less than half a minor unit at ${price.amountMinor} per ${price.perPoints} points`,
    );
  }
  return { points, amountMinor };
}

/** A capture takes at most what was authorized; the rest goes back to the member. */
export function requireCapturable(authorizedPoints: bigint, capturePoints: bigint): void {
  if (capturePoints > authorizedPoints) {
    throw new ProblemError(
      'capture_exceeds_authorization',
      `${capturePoints} points asked, ${authorizedPoints} authorized.`,
      [{ field: 'points', message: 'more than the authorization' }],
    );
  }
}

/**
 * A refund's money: its points' value, except that the refund reaching the captured points takes
 * exactly what is left of the captured money, so refunds in parts never add up to more (or less)
 * than the capture whatever each part's rounding did. A part refund must give some money back.
 */
export function refundFigures(input: {
  price: CashPrice;
  capturedPoints: bigint;
  capturedAmountMinor: bigint;
  /** Refunds already counted (done or still running). */
  refundedPoints: bigint;
  refundedAmountMinor: bigint;
  points: bigint;
  /** The field the refund was asked in, for a refusal. */
  field?: AmountField;
}): { points: bigint; amountMinor: bigint } {
  const leftPoints = input.capturedPoints - input.refundedPoints;
  const leftMinor = input.capturedAmountMinor - input.refundedAmountMinor;
  if (input.points > leftPoints) {
    throw new ProblemError(
      'refund_exceeds_capture',
      `${input.points} points asked, ${leftPoints} left to refund.`,
      [{ field: 'points', message: 'more than is left unrefunded' }],
    );
  }
  if (input.points === leftPoints) return { points: input.points, amountMinor: leftMinor };
  const amountMinor = minBigint(cashValue(input.price, input.points), leftMinor);
  // A part refund worth nothing would give the member points back and the owner no money; the
  // refund of the rest gives them back whatever money is left, even none (rounding gave it back).
  if (amountMinor <= 0n) {
    refuseWorthNothing(
      input.points,
      input.field ?? 'points',
      `would give no money back (${leftMinor} minor units left to refund); refund more, or the rest`,
    );
  }
  return { points: input.points, amountMinor };
}
