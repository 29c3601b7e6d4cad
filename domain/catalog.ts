// The shared catalog's rules: what an item is (a coupon, a product or a draw, priced in its
// publisher's own points), when it is on sale, and what it costs a member of another programme:
// its price converted at the rate agreement in force from the member's programme to the
// publisher's, with the member's tier, rounded up (the publisher always receives its full price).
import { divideCeil, divideHalfUp, int8Max, type Ratio } from './arithmetic.ts';
import { ProblemError } from './errors.ts';
import { type AppliedModifier, effectiveRatio, isInForce, type RateTerms } from './rate-terms.ts';

export const itemKinds = ['coupon', 'product', 'draw'] as const;
export type ItemKind = (typeof itemKinds)[number];

export interface CouponDetails {
  faceValue: { amountMinor: bigint; currency: string } | null;
  /** Valid this many days after issue, or until a fixed end; null: no end. */
  validity: { days: number } | { until: Date } | null;
  terms: string;
  /** An expired, unused coupon gives the member its points back. */
  refundOnExpiry: boolean;
}

export interface ProductDetails {
  fulfilment: 'shipping' | 'pickup';
}

export interface ItemTerms {
  title: string;
  description: string;
  imageUrls: string[];
  tags: string[];
  pricePoints: bigint;
  saleStartsAt: Date;
  saleEndsAt: Date | null;
  perMemberLimit: number | null;
}

export function isOnSale(terms: Pick<ItemTerms, 'saleStartsAt' | 'saleEndsAt'>, at: Date): boolean {
  return terms.saleStartsAt <= at && (terms.saleEndsAt === null || at < terms.saleEndsAt);
}

export function requireOnSale(terms: Pick<ItemTerms, 'saleStartsAt' | 'saleEndsAt'>, at: Date): void {
  if (isOnSale(terms, at)) return;
  throw new ProblemError(
    'item_not_on_sale',
    terms.saleStartsAt > at
      ? `The sale starts at ${terms.saleStartsAt.toISOString()}.`
      : `The sale ended at ${terms.saleEndsAt?.toISOString()}.`,
  );
}

export interface MemberPrice {
  /** What the member pays, in their own programme's points. */
  memberPoints: bigint;
  ratio: Ratio;
  modifiers: AppliedModifier[];
  /** What the member's programme owes the publisher for it. */
  settlementAmountMinor: bigint;
  currency: string;
}

/** The price in the member's points under the terms in force from their programme to the publisher's. */
export function memberPrice(input: {
  terms: RateTerms;
  memberTier: string | null;
  pricePoints: bigint;
  at: Date;
}): MemberPrice {
  const { terms } = input;
  if (!isInForce(terms, input.at)) {
    throw new ProblemError('agreement_not_in_force', 'The agreement is outside its effective window.');
  }
  const { ratio, modifiers } = effectiveRatio(terms, input.memberTier, input.at);
  const memberPoints = divideCeil(input.pricePoints * ratio.denominator, ratio.numerator);
  if (memberPoints > int8Max) {
    throw new ProblemError('amount_out_of_range', 'The price would pass what a ledger can hold.');
  }
  return {
    memberPoints,
    ratio,
    modifiers,
    settlementAmountMinor: divideHalfUp(
      input.pricePoints * terms.settlementAmountMinor,
      terms.settlementPerTargetPoints,
    ),
    currency: terms.settlementCurrency,
  };
}

/**
 * A coupon item whose coupons end at a fixed instant is not sold after it: the member would pay for a
 * coupon issued already expired. `details` as stored (the instant as JSON text, or a Date).
 */
export function requireCouponStillValid(details: unknown, at: Date): void {
  const validity = (details as { validity?: { until?: string | Date } | { days: number } | null } | null)
    ?.validity;
  if (!validity || !('until' in validity) || validity.until === undefined) return;
  const until = new Date(validity.until);
  if (until > at) return;
  throw new ProblemError('item_not_on_sale', `Its coupons were valid until ${until.toISOString()}.`);
}

/** When a coupon issued at `issuedAt` stops being valid; null: never. */
export function couponValidUntil(validity: CouponDetails['validity'], issuedAt: Date): Date | null {
  if (validity === null) return null;
  if ('days' in validity) return new Date(issuedAt.getTime() + validity.days * 86_400_000);
  return validity.until;
}

/** An item not inserted because another of the publisher's items has its externalRef is refused. */
export function requireNewExternalRef<Item>(inserted: Item | undefined, externalRef: string | null): Item {
  if (inserted) return inserted;
  throw new ProblemError(
    'external_ref_taken',
    `Another of your items has the externalRef ${externalRef}: edit that item instead.`,
    [{ field: 'externalRef', message: 'another of your items has it' }],
  );
}
