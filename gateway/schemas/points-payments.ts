// Points payments and cash agreements as merchants and programme owners send and read them.
import { z } from '@hono/zod-openapi';
import type { PaymentAmount } from '../../domain/points-payment.ts';
import type { PaymentView } from '../../services/points-payments.ts';
import type { CashAgreement } from '../../store/database.ts';
import { AmountOut, PositiveIntegerString } from './amounts.ts';
import { text } from './common.ts';
import { id, idParam } from './ids.ts';

const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'an ISO 4217 code')
  .openapi({ example: 'USD' });

/** A points payment's status, as its reads and its webhooks give it. */
export const PaymentStatusSchema = z.enum([
  'authorizing',
  'authorized',
  'capturing',
  'captured',
  'voiding',
  'voided',
  'expired',
  'failed',
  'needs_attention',
]);

export const OfferCashAgreementBody = z
  .object({
    programId: id('prg').openapi({ description: 'Your programme, whose points the merchant will take.' }),
    merchantId: id('ptn').openapi({ description: 'The partner whose checkout takes them.' }),
    amountMinor: PositiveIntegerString.openapi({
      description: 'Money, in minor units, that perPoints points are worth.',
    }),
    perPoints: PositiveIntegerString.openapi({ example: '100' }),
    currency: Currency,
  })
  .strict()
  .openapi('OfferCashAgreement');

export const CashAgreementPath = z.object({ agreementId: idParam('cag', 'agreementId') });

export const CashAgreementSchema = z
  .object({
    id: z.string(),
    programId: z.string(),
    ownerId: z.string(),
    merchantId: z.string(),
    price: z.object({ amountMinor: AmountOut, perPoints: AmountOut, currency: z.string() }),
    status: z.enum(['offered', 'accepted', 'ended']),
    offeredAt: z.string(),
    acceptedAt: z.string().nullable(),
    endedAt: z.string().nullable(),
  })
  .openapi('CashAgreement');

export function cashAgreementView(agreement: CashAgreement): z.infer<typeof CashAgreementSchema> {
  return {
    id: agreement.id,
    programId: agreement.program_id,
    ownerId: agreement.owner_id,
    merchantId: agreement.merchant_id,
    price: {
      amountMinor: String(agreement.amount_minor),
      perPoints: String(agreement.per_points),
      currency: agreement.currency,
    },
    status: agreement.status,
    offeredAt: agreement.offered_at.toISOString(),
    acceptedAt: agreement.accepted_at?.toISOString() ?? null,
    endedAt: agreement.ended_at?.toISOString() ?? null,
  };
}

const amountFields = {
  points: PositiveIntegerString.optional().openapi({ description: "Points of the member's programme." }),
  amountMinor: PositiveIntegerString.optional().openapi({
    description:
      'Or: money, in minor units of the agreement currency; the fewest points worth at least that much.',
  }),
};

function oneAmount(
  body: { points?: bigint | undefined; amountMinor?: bigint | undefined },
  context: z.RefinementCtx,
  required: boolean,
) {
  const given = (body.points !== undefined ? 1 : 0) + (body.amountMinor !== undefined ? 1 : 0);
  if (given > 1 || (required && given === 0)) {
    context.addIssue({
      code: 'custom',
      path: ['points'],
      message: required
        ? 'give exactly one of points and amountMinor'
        : 'give at most one of points and amountMinor',
    });
  }
}

export function amountOf(body: {
  points?: bigint | undefined;
  amountMinor?: bigint | undefined;
}): PaymentAmount | null {
  if (body.points !== undefined) return { points: body.points };
  if (body.amountMinor !== undefined) return { amountMinor: body.amountMinor };
  return null;
}

export const AuthorizePaymentBody = z
  .object({
    memberId: id('mbr'),
    programId: id('prg').openapi({
      description: "The programme whose points the member spends (another brand's).",
    }),
    ...amountFields,
    orderReference: text({ min: 1, max: 200, trim: true }).openapi({ example: 'order-7731' }),
    expiresInSeconds: z
      .number()
      .int()
      .min(1)
      .max(30 * 86_400)
      .optional()
      .openapi({ description: 'How long the authorization holds; 7 days when absent, 30 at most.' }),
  })
  .strict()
  .superRefine((body, context) => oneAmount(body, context, true))
  .openapi('AuthorizePointsPayment');

export const CapturePaymentBody = z
  .object(amountFields)
  .strict()
  .superRefine((body, context) => oneAmount(body, context, false))
  .openapi('CapturePointsPayment', {
    description:
      'Leave both out to capture the whole authorization. A payment is captured once; the rest is released.',
  });

export const RefundPaymentBody = z
  .object(amountFields)
  .strict()
  .superRefine((body, context) => oneAmount(body, context, false))
  .openapi('RefundPointsPayment', { description: 'Leave both out to refund everything not yet refunded.' });

export const PaymentPath = z.object({ paymentId: idParam('ppm', 'paymentId') });

const Failure = z.object({ code: z.string(), detail: z.string() }).nullable();

const OperationSchema = z.object({
  id: z.string(),
  kind: z.enum(['authorize', 'capture', 'void', 'refund']),
  requestedBy: z
    .string()
    .openapi({ description: 'The merchant, or `expiry` for the void of an expired authorization.' }),
  points: AmountOut,
  amountMinor: AmountOut,
  status: z.enum(['pending', 'completed', 'failed', 'needs_attention']),
  failure: Failure,
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const PaymentSchema = z
  .object({
    id: z.string(),
    merchantId: z.string(),
    ownerId: z
      .string()
      .openapi({ description: "The programme's owner: it owes the merchant what is captured." }),
    memberId: z.string(),
    programId: z.string(),
    orderReference: z.string(),
    cashAgreementId: z.string(),
    price: z.object({ amountMinor: AmountOut, perPoints: AmountOut, currency: z.string() }),
    status: PaymentStatusSchema,
    authorized: z.object({ points: AmountOut, amountMinor: AmountOut }),
    captured: z.object({ points: AmountOut, amountMinor: AmountOut }),
    refunded: z.object({ points: AmountOut, amountMinor: AmountOut }),
    currency: z.string(),
    expiresAt: z.string(),
    failure: Failure,
    operation: OperationSchema.optional().openapi({ description: 'The operation this request asked for.' }),
    operations: z.array(OperationSchema),
    steps: z.array(
      z.object({
        operationId: z.string(),
        step: z.string(),
        outcome: z.string(),
        detail: z.string().nullable(),
        at: z.string(),
      }),
    ),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('PointsPayment');

type Operation = PaymentView['operations'][number];

function operationView(operation: Operation): z.infer<typeof OperationSchema> {
  return {
    id: operation.id,
    kind: operation.kind,
    requestedBy: operation.requested_by,
    points: String(operation.points),
    amountMinor: String(operation.amount_minor),
    status: operation.status,
    failure: operation.failure_code
      ? { code: operation.failure_code, detail: operation.failure_detail ?? '' }
      : null,
    createdAt: operation.created_at.toISOString(),
    updatedAt: operation.updated_at.toISOString(),
  };
}

export function paymentView(view: PaymentView & { operation?: Operation }): z.infer<typeof PaymentSchema> {
  const { payment } = view;
  return {
    id: payment.id,
    merchantId: payment.merchant_id,
    ownerId: payment.owner_id,
    memberId: payment.member_id,
    programId: payment.program_id,
    orderReference: payment.order_reference,
    cashAgreementId: payment.cash_agreement_id,
    price: {
      amountMinor: String(payment.price_amount_minor),
      perPoints: String(payment.price_per_points),
      currency: payment.currency,
    },
    status: payment.status,
    authorized: {
      points: String(payment.authorized_points),
      amountMinor: String(payment.authorized_amount_minor),
    },
    captured: { points: String(payment.captured_points), amountMinor: String(payment.captured_amount_minor) },
    refunded: { points: String(payment.refunded_points), amountMinor: String(payment.refunded_amount_minor) },
    currency: payment.currency,
    expiresAt: payment.expires_at.toISOString(),
    failure: payment.failure_code
      ? { code: payment.failure_code, detail: payment.failure_detail ?? '' }
      : null,
    ...(view.operation ? { operation: operationView(view.operation) } : {}),
    operations: view.operations.map(operationView),
    steps: view.steps.map((step) => ({
      operationId: step.operation_id,
      step: step.step,
      outcome: step.outcome,
      detail: step.detail,
      at: step.at.toISOString(),
    })),
    createdAt: payment.created_at.toISOString(),
    updatedAt: payment.updated_at.toISOString(),
  };
}
