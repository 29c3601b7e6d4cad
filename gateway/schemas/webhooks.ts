// The events the gateway POSTs to a partner's webhook URL, as the OpenAPI document's `webhooks`
// describe them. Each `data` schema is checked against the type its writers are held to
// (domain/webhook-events.ts), so the two cannot drift apart.
import { z } from '@hono/zod-openapi';
import { drawScheme } from '../../domain/draw.ts';
import {
  type AccrualEventData,
  type AccrualReversalEventData,
  type CatalogOrderCompletedEventData,
  type CatalogOrderFailedEventData,
  type CouponRefundedEventData,
  type DrawClosedEventData,
  type PointsExpiredEventData,
  type PointsExpiringEventData,
  type PointsPaymentEventData,
  pointsPaymentEventTypes,
  type TransferEventData,
  type TransferReversalEventData,
  type WebhookEventType,
} from '../../domain/webhook-events.ts';
import { AmountOut } from './amounts.ts';
import { ConservationCheckSchema } from './conservation.ts';
import { PaymentStatusSchema } from './points-payments.ts';

const points = AmountOut;
const instant = z.string().openapi({ example: '2026-12-01T08:00:00.000Z', description: 'ISO 8601, UTC.' });
const ended = z.enum(['completed', 'failed', 'needs_attention']);
const failureCode = z
  .string()
  .nullable()
  .openapi({ description: 'Why it failed, or `needs_attention`; null when it completed.' });

const TransferEventDataSchema = z
  .object({
    type: z.enum(['transfer.completed', 'transfer.failed', 'transfer.needs_attention']),
    transferId: z.string(),
    status: ended,
    memberId: z.string(),
    sourceProgramId: z.string(),
    targetProgramId: z.string(),
    debitPoints: points,
    creditPoints: points,
    failureCode,
  })
  .openapi('TransferEventData') satisfies z.ZodType<TransferEventData>;

const TransferReversalEventDataSchema = z
  .object({
    type: z.enum(['transfer.reversed', 'transfer.reversal_failed', 'transfer.reversal_needs_attention']),
    reversalId: z.string(),
    transferId: z.string(),
    status: ended,
    memberId: z.string(),
    sourceProgramId: z.string(),
    targetProgramId: z.string(),
    sourcePoints: points,
    targetPoints: points,
    takenTargetPoints: points
      .nullable()
      .openapi({ description: 'Taken back at the target; null until then.' }),
    returnedSourcePoints: points
      .nullable()
      .openapi({ description: 'Given back at the source; set when reversed.' }),
    failureCode,
  })
  .openapi('TransferReversalEventData') satisfies z.ZodType<TransferReversalEventData>;

const AccrualEventDataSchema = z
  .object({
    type: z.enum(['accrual.completed', 'accrual.failed', 'accrual.needs_attention']),
    accrualId: z.string(),
    status: ended,
    merchantPartnerId: z.string(),
    orderReference: z.string(),
    memberId: z.string(),
    programId: z.string(),
    points,
    amountOwedMinor: AmountOut.openapi({ description: 'What the merchant owes the programme’s owner.' }),
    currency: z.string(),
    failureCode,
  })
  .openapi('AccrualEventData') satisfies z.ZodType<AccrualEventData>;

const AccrualReversalEventDataSchema = z
  .object({
    type: z.enum(['accrual.reversed', 'accrual.reversal_failed', 'accrual.reversal_needs_attention']),
    reversalId: z.string(),
    accrualId: z.string(),
    status: ended,
    orderReference: z.string(),
    memberId: z.string(),
    programId: z.string(),
    refundAmountMinor: AmountOut,
    points,
    takenPoints: points.nullable(),
    shortfallPoints: points
      .nullable()
      .openapi({ description: 'Points the member had spent already, which could not be taken back.' }),
    reversedAmountMinor: AmountOut.nullable(),
    currency: z.string(),
    failureCode,
  })
  .openapi('AccrualReversalEventData') satisfies z.ZodType<AccrualReversalEventData>;

const PointsPaymentEventDataSchema = z
  .object({
    type: z.enum(pointsPaymentEventTypes),
    paymentId: z.string(),
    operationId: z.string(),
    operation: z.enum(['authorize', 'capture', 'void', 'refund']),
    operationStatus: ended,
    status: PaymentStatusSchema.openapi({ description: 'The payment’s status after the operation.' }),
    merchantId: z.string(),
    memberId: z.string(),
    programId: z.string(),
    orderReference: z.string(),
    points: points.openapi({ description: 'The operation’s points.' }),
    amountMinor: AmountOut.openapi({ description: 'The operation’s money value.' }),
    currency: z.string(),
    authorizedPoints: points,
    capturedPoints: points,
    refundedPoints: points,
    failureCode,
  })
  .openapi('PointsPaymentEventData') satisfies z.ZodType<PointsPaymentEventData>;

const orderFields = {
  orderId: z.string(),
  itemId: z.string(),
  itemVersion: z.number().int(),
  memberId: z.string(),
  programId: z.string().openapi({ description: 'The member’s programme, which paid.' }),
  debitPoints: points,
  failureCode,
};

const CatalogOrderCompletedEventDataSchema = z
  .object({
    type: z.literal('catalog.order_completed'),
    ...orderFields,
    status: z.literal('completed'),
    couponId: z.string().nullable().openapi({ description: 'Null for a product or a draw entry.' }),
    couponCode: z.string().nullable(),
    validUntil: instant.nullable().openapi({ description: 'Null for a coupon with no end.' }),
  })
  .openapi('CatalogOrderCompletedEventData') satisfies z.ZodType<CatalogOrderCompletedEventData>;

const CatalogOrderFailedEventDataSchema = z
  .object({
    type: z.literal('catalog.order_failed'),
    ...orderFields,
    status: z.enum(['failed', 'needs_attention']).openapi({
      description:
        'needs_attention: whether the member paid is not known; the order keeps its stock and code, and finance is flagged.',
    }),
  })
  .openapi('CatalogOrderFailedEventData') satisfies z.ZodType<CatalogOrderFailedEventData>;

const CouponRefundedEventDataSchema = z
  .object({
    type: z.literal('catalog.coupon_refunded'),
    couponId: z.string(),
    orderId: z.string(),
    itemId: z.string(),
    memberId: z.string(),
    programId: z.string(),
    refundedPoints: points,
    validUntil: instant.nullable(),
    expiredAt: instant.nullable(),
    refundedAt: instant,
  })
  .openapi('CouponRefundedEventData') satisfies z.ZodType<CouponRefundedEventData>;

const DrawClosedEventDataSchema = z
  .object({
    type: z.literal('catalog.draw_closed'),
    itemId: z.string(),
    scheme: z.literal(drawScheme),
    commitment: z.string().openapi({ description: 'SHA-256 of the seed, published when the draw opened.' }),
    seed: z.string(),
    entriesHash: z.string(),
    entriesCount: z.number().int(),
    winners: z
      .array(z.string())
      .openapi({ description: 'The winning entries (order ids), in the order drawn.' }),
    resultPath: z.string(),
  })
  .openapi('DrawClosedEventData') satisfies z.ZodType<DrawClosedEventData>;

const PointsExpiredEventDataSchema = z
  .object({
    type: z.literal('points.expired'),
    programId: z.string(),
    accountRef: z.string(),
    memberId: z.string().nullable(),
    expiredPoints: points,
    lots: z.array(z.object({ points, expiresAt: instant, movementKey: z.string() })),
  })
  .openapi('PointsExpiredEventData') satisfies z.ZodType<PointsExpiredEventData>;

const PointsExpiringEventDataSchema = z
  .object({
    type: z.literal('points.expiring'),
    programId: z.string(),
    accountRef: z.string(),
    memberId: z.string().nullable(),
    expiresOn: z.string().openapi({ example: '2026-12-31', description: 'The UTC day.' }),
    expiresAt: instant,
    points,
    daysAhead: z.number().int(),
  })
  .openapi('PointsExpiringEventData') satisfies z.ZodType<PointsExpiringEventData>;

const pay = (what: string) => `${what} (the merchant and the programme’s owner)`;

/** Each partner event type: its data, who receives it, and what it means. */
export const partnerWebhooks: Record<WebhookEventType, { data: z.ZodType; summary: string }> = {
  'transfer.completed': {
    data: TransferEventDataSchema,
    summary: 'A transfer completed (both programmes’ partners)',
  },
  'transfer.failed': {
    data: TransferEventDataSchema,
    summary: 'A transfer failed, nothing moved (both partners)',
  },
  'transfer.needs_attention': {
    data: TransferEventDataSchema,
    summary: 'A transfer needs finance: its outcome is not known (both partners)',
  },
  'transfer.reversed': {
    data: TransferReversalEventDataSchema,
    summary: 'A transfer was reversed (both partners)',
  },
  'transfer.reversal_failed': {
    data: TransferReversalEventDataSchema,
    summary: 'A transfer reversal failed, nothing moved (both partners)',
  },
  'transfer.reversal_needs_attention': {
    data: TransferReversalEventDataSchema,
    summary: 'A transfer reversal needs finance (both partners)',
  },
  'accrual.completed': {
    data: AccrualEventDataSchema,
    summary: 'A member earned points at a merchant (the merchant and the programme’s owner)',
  },
  'accrual.failed': { data: AccrualEventDataSchema, summary: 'An accrual failed, nothing credited' },
  'accrual.needs_attention': { data: AccrualEventDataSchema, summary: 'An accrual needs finance' },
  'accrual.reversed': {
    data: AccrualReversalEventDataSchema,
    summary: 'A refunded purchase took its points back (the merchant and the owner)',
  },
  'accrual.reversal_failed': { data: AccrualReversalEventDataSchema, summary: 'An accrual refund failed' },
  'accrual.reversal_needs_attention': {
    data: AccrualReversalEventDataSchema,
    summary: 'An accrual refund needs finance',
  },
  'points_payment.authorized': {
    data: PointsPaymentEventDataSchema,
    summary: pay('The member’s points are authorized (reserved)'),
  },
  'points_payment.authorization_failed': {
    data: PointsPaymentEventDataSchema,
    summary: pay('An authorization was refused'),
  },
  'points_payment.captured': {
    data: PointsPaymentEventDataSchema,
    summary: pay('A capture took the points; the owner owes the merchant their value'),
  },
  'points_payment.capture_failed': {
    data: PointsPaymentEventDataSchema,
    summary: pay('A capture was refused'),
  },
  'points_payment.voided': {
    data: PointsPaymentEventDataSchema,
    summary: pay('An authorization was voided'),
  },
  'points_payment.expired': {
    data: PointsPaymentEventDataSchema,
    summary: pay('An authorization expired, its points released'),
  },
  'points_payment.refunded': {
    data: PointsPaymentEventDataSchema,
    summary: pay('A refund gave points back'),
  },
  'points_payment.refund_failed': {
    data: PointsPaymentEventDataSchema,
    summary: pay('A refund was refused'),
  },
  'points_payment.needs_attention': {
    data: PointsPaymentEventDataSchema,
    summary: pay('An operation’s outcome is not known; finance settles it'),
  },
  'catalog.order_completed': {
    data: CatalogOrderCompletedEventDataSchema,
    summary:
      'A catalog order completed, its coupon issued (the member’s programme’s partner and the publisher)',
  },
  'catalog.order_failed': {
    data: CatalogOrderFailedEventDataSchema,
    summary: 'A catalog order failed or needs finance (the same partners)',
  },
  'catalog.coupon_refunded': {
    data: CouponRefundedEventDataSchema,
    summary: 'A coupon expired unused and its points went back (the same partners)',
  },
  'catalog.draw_closed': {
    data: DrawClosedEventDataSchema,
    summary: 'A draw closed and its winners were drawn (the publisher and every entrant’s partner)',
  },
  'points.expired': {
    data: PointsExpiredEventDataSchema,
    summary: 'A member’s hosted points expired (the programme’s partner)',
  },
  'points.expiring': {
    data: PointsExpiringEventDataSchema,
    summary: 'A member’s hosted points expire soon: a reminder, once per account, day and reminder',
  },
};

/** The body of every webhook: the event's id (also its Idempotency-Key), its type and its data. */
export function webhookBody(type: string, data: z.ZodType) {
  return z.object({
    id: z
      .string()
      .openapi({ description: 'The event’s id: the same on every retry, and sent as Idempotency-Key.' }),
    type: z.literal(type),
    data,
  });
}

/** The alert the conservation monitor sends the operator's URL (OPERATOR_WEBHOOK_URL), not a partner's. */
export const operatorWebhooks = {
  'conservation.failed': {
    data: ConservationCheckSchema,
    summary: 'A conservation check failed (to the operator’s URL)',
  },
};
