// Accruals and their refunds as merchants send them and merchants and programme owners read them.
import { z } from '@hono/zod-openapi';
import type { Accrual, AccrualReversal, AccrualStep } from '../../store/database.ts';
import { AmountOut, PositiveIntegerString } from './amounts.ts';
import { text } from './common.ts';
import { id, idParam } from './ids.ts';

export const AccrualBody = z
  .object({
    memberId: id('mbr'),
    programId: id('prg').openapi({
      description: "The earning programme: another partner's, linked to the member.",
    }),
    purchase: z.object({
      amountMinor: PositiveIntegerString.openapi({ description: 'What the member paid, in minor units.' }),
      currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code'),
    }),
    orderReference: text({ min: 1, max: 200, trim: true }).openapi({
      description: 'Your reference of the purchase: one accrual per reference.',
      example: 'cinema-order-7731',
    }),
  })
  .strict()
  .openapi('AccrualRequest');

export const RefundBody = z
  .object({
    refundAmountMinor: PositiveIntegerString.optional().openapi({
      description:
        'How much of the purchase you refunded, in minor units; leave it out to refund everything not yet refunded. The points taken back follow in proportion.',
    }),
    reason: text({ min: 1, max: 500, trim: true }).openapi({ example: 'ticket refunded' }),
  })
  .strict()
  .openapi('AccrualRefund');

export const AccrualPath = z.object({ accrualId: idParam('acr', 'accrualId') });

const optional = (value: bigint | null) => (value === null ? null : String(value));
const failureOf = (row: { failure_code: string | null; failure_detail: string | null }) =>
  row.failure_code ? { code: row.failure_code, detail: row.failure_detail ?? '' } : null;
const Failure = z.object({ code: z.string(), detail: z.string() }).nullable();

export const AccrualReversalSchema = z
  .object({
    id: z.string(),
    accrualId: z.string(),
    status: z.enum(['pending', 'completed', 'failed', 'needs_attention']),
    reason: z.string(),
    refundAmountMinor: AmountOut,
    points: AmountOut.openapi({ description: 'Points the refund asks back, fixed when it was accepted.' }),
    takenPoints: AmountOut.nullable().openapi({
      description: 'What the programme took back; null until it ends.',
    }),
    shortfallPoints: AmountOut.nullable().openapi({
      description: 'Points asked that the member no longer had: the merchant keeps paying for them.',
    }),
    reversedAmountMinor: AmountOut.nullable().openapi({
      description:
        "What the programme's owner gives the merchant back: an obligation of kind `accrual_reversal`.",
    }),
    failure: Failure,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('AccrualReversal');

export function accrualReversalView(reversal: AccrualReversal): z.infer<typeof AccrualReversalSchema> {
  return {
    id: reversal.id,
    accrualId: reversal.accrual_id,
    status: reversal.status,
    reason: reversal.reason,
    refundAmountMinor: String(reversal.refund_amount_minor),
    points: String(reversal.points),
    takenPoints: optional(reversal.taken_points),
    shortfallPoints: optional(reversal.shortfall_points),
    reversedAmountMinor: optional(reversal.reversed_amount_minor),
    failure: failureOf(reversal),
    createdAt: reversal.created_at.toISOString(),
    updatedAt: reversal.updated_at.toISOString(),
  };
}

export const AccrualSchema = z
  .object({
    id: z.string(),
    status: z.enum(['pending', 'completed', 'failed', 'needs_attention']),
    merchantPartnerId: z.string(),
    orderReference: z.string(),
    memberId: z.string(),
    programId: z.string(),
    purchase: z.object({ amountMinor: AmountOut, currency: z.string() }),
    agreement: z.object({ agreementId: z.string(), version: z.number().int() }),
    tier: z.string().nullable(),
    points: AmountOut.openapi({
      description: 'Points credited to the member (once completed), every bonus included.',
    }),
    modifiers: z.array(z.record(z.string(), z.unknown())).openapi({
      description:
        'What changed the points: `tier_bonus` (the earn agreement’s bonus for the member’s tier), one `programme_campaign` per campaign of the programme that applied (`campaignId`, `name`, `multiplier`), and `campaign_cap` (`cap`, `stackedMultiplier`) when the programme’s cap held them back. The merchant pays for the points the agreement gives; the programme pays for its campaigns.',
    }),
    amountOwedMinor: AmountOut.openapi({
      description: "What the merchant owes the programme's owner: an obligation of kind `accrual`.",
    }),
    currency: z.string(),
    failure: Failure,
    reversals: z.array(AccrualReversalSchema),
    steps: z.array(
      z.object({ step: z.string(), outcome: z.string(), detail: z.string().nullable(), at: z.string() }),
    ),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Accrual');

export function accrualView(
  accrual: Accrual,
  reversals: AccrualReversal[] = [],
  steps: AccrualStep[] = [],
): z.infer<typeof AccrualSchema> {
  return {
    id: accrual.id,
    status: accrual.status,
    merchantPartnerId: accrual.merchant_partner_id,
    orderReference: accrual.order_reference,
    memberId: accrual.member_id,
    programId: accrual.program_id,
    purchase: { amountMinor: String(accrual.purchase_amount_minor), currency: accrual.purchase_currency },
    agreement: { agreementId: accrual.agreement_id, version: accrual.agreement_version },
    tier: accrual.tier,
    points: String(accrual.points),
    modifiers: accrual.modifiers as Record<string, unknown>[],
    amountOwedMinor: String(accrual.amount_owed_minor),
    currency: accrual.currency,
    failure: failureOf(accrual),
    reversals: reversals.map(accrualReversalView),
    steps: steps.map((step) => ({
      step: step.step,
      outcome: step.outcome,
      detail: step.detail,
      at: step.at.toISOString(),
    })),
    createdAt: accrual.created_at.toISOString(),
    updatedAt: accrual.updated_at.toISOString(),
  };
}
