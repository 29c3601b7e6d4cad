// What an expired coupon's refund owes: the member's programme owed the publisher the settlement
// price when the coupon was sold (a redemption); the refund owes exactly that back, the other way,
// so the two net to nothing in settlement whichever cycles they land in.

export interface Obligation {
  debtorPartnerId: string;
  creditorPartnerId: string;
  amountMinor: bigint;
  currency: string;
}

export const couponRefundObligationKind = 'redemption_refund';

/** The redemption's opposite: the publisher owes the member's programme's partner the same amount. */
export function refundOfRedemption(redemption: Obligation): Obligation {
  return {
    debtorPartnerId: redemption.creditorPartnerId,
    creditorPartnerId: redemption.debtorPartnerId,
    amountMinor: redemption.amountMinor,
    currency: redemption.currency,
  };
}
