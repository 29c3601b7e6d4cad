// Every event the gateway sends a partner's webhook URL, and what its `data` holds. The writers of
// each event (store/, services/) are typed against this map, and the OpenAPI document's `webhooks`
// (gateway/schemas/webhooks.ts) against the same types, so a payload and its documentation cannot
// drift apart. Points and money are decimal strings (int8 does not fit a JSON number); instants are
// ISO 8601 strings in UTC.

/** A transfer's end, to both programmes' partners. */
export interface TransferEventData {
  type: 'transfer.completed' | 'transfer.failed' | 'transfer.needs_attention';
  transferId: string;
  status: string;
  memberId: string;
  sourceProgramId: string;
  targetProgramId: string;
  debitPoints: string;
  creditPoints: string;
  failureCode: string | null;
}

/** A transfer reversal's end, to both programmes' partners. */
export interface TransferReversalEventData {
  type: 'transfer.reversed' | 'transfer.reversal_failed' | 'transfer.reversal_needs_attention';
  reversalId: string;
  transferId: string;
  status: string;
  memberId: string;
  sourceProgramId: string;
  targetProgramId: string;
  sourcePoints: string;
  targetPoints: string;
  takenTargetPoints: string | null;
  returnedSourcePoints: string | null;
  failureCode: string | null;
}

/** An accrual's end, to the merchant and the earning programme's owner. */
export interface AccrualEventData {
  type: 'accrual.completed' | 'accrual.failed' | 'accrual.needs_attention';
  accrualId: string;
  status: string;
  merchantPartnerId: string;
  orderReference: string;
  memberId: string;
  programId: string;
  points: string;
  amountOwedMinor: string;
  currency: string;
  failureCode: string | null;
}

/** An accrual refund's end, to the merchant and the earning programme's owner. */
export interface AccrualReversalEventData {
  type: 'accrual.reversed' | 'accrual.reversal_failed' | 'accrual.reversal_needs_attention';
  reversalId: string;
  accrualId: string;
  status: string;
  orderReference: string;
  memberId: string;
  programId: string;
  refundAmountMinor: string;
  points: string;
  takenPoints: string | null;
  shortfallPoints: string | null;
  reversedAmountMinor: string | null;
  currency: string;
  failureCode: string | null;
}

export const pointsPaymentEventTypes = [
  'points_payment.authorized',
  'points_payment.authorization_failed',
  'points_payment.captured',
  'points_payment.capture_failed',
  'points_payment.voided',
  'points_payment.expired',
  'points_payment.refunded',
  'points_payment.refund_failed',
  'points_payment.needs_attention',
] as const;

/** A points payment's operation ended, to the merchant and the programme's owner. */
export interface PointsPaymentEventData {
  type: (typeof pointsPaymentEventTypes)[number];
  paymentId: string;
  operationId: string;
  operation: 'authorize' | 'capture' | 'void' | 'refund';
  operationStatus: string;
  status: string;
  merchantId: string;
  memberId: string;
  programId: string;
  orderReference: string;
  points: string;
  amountMinor: string;
  currency: string;
  authorizedPoints: string;
  capturedPoints: string;
  refundedPoints: string;
  failureCode: string | null;
}

interface CatalogOrderEventFields {
  orderId: string;
  itemId: string;
  itemVersion: number;
  memberId: string;
  programId: string;
  debitPoints: string;
  status: string;
  failureCode: string | null;
}

/** A catalog order completed, to the member's programme's partner and the publisher. */
export interface CatalogOrderCompletedEventData extends CatalogOrderEventFields {
  type: 'catalog.order_completed';
  /** Null for a product or a draw entry. */
  couponId: string | null;
  couponCode: string | null;
  /** Null for a coupon with no end, a product or a draw entry. */
  validUntil: string | null;
}

/** A catalog order failed or needs attention (`status` says which), to the same partners. */
export interface CatalogOrderFailedEventData extends CatalogOrderEventFields {
  type: 'catalog.order_failed';
}

/** A coupon expired unused and its points went back, to the member's programme's partner and the publisher. */
export interface CouponRefundedEventData {
  type: 'catalog.coupon_refunded';
  couponId: string;
  orderId: string;
  itemId: string;
  memberId: string;
  programId: string;
  refundedPoints: string;
  validUntil: string | null;
  expiredAt: string | null;
  refundedAt: string;
}

/** A draw closed, to the publisher and every entrant's programme's partner. */
export interface DrawClosedEventData {
  type: 'catalog.draw_closed';
  itemId: string;
  scheme: string;
  commitment: string;
  seed: string;
  entriesHash: string;
  entriesCount: number;
  /** The winning entries (order ids), in the order drawn. */
  winners: string[];
  resultPath: string;
}

/** Points of a hosted programme expired, to its partner. */
export interface PointsExpiredEventData {
  type: 'points.expired';
  programId: string;
  accountRef: string;
  memberId: string | null;
  expiredPoints: string;
  lots: { points: string; expiresAt: string; movementKey: string }[];
}

/** A reminder: points of a hosted programme expire soon, to its partner. */
export interface PointsExpiringEventData {
  type: 'points.expiring';
  programId: string;
  accountRef: string;
  memberId: string | null;
  /** The UTC day, YYYY-MM-DD. */
  expiresOn: string;
  expiresAt: string;
  points: string;
  daysAhead: number;
}

/** Any event's `data`; its `type` names the event. */
export type WebhookEventData =
  | TransferEventData
  | TransferReversalEventData
  | AccrualEventData
  | AccrualReversalEventData
  | PointsPaymentEventData
  | CatalogOrderCompletedEventData
  | CatalogOrderFailedEventData
  | CouponRefundedEventData
  | DrawClosedEventData
  | PointsExpiredEventData
  | PointsExpiringEventData;

export type WebhookEventType = WebhookEventData['type'];

/** An event as a writer queues it: its type, its id (one delivery per partner and id) and its data. */
export interface WebhookEvent {
  type: WebhookEventType;
  eventId: string;
  payload: WebhookEventData;
}
