// Quotes and transfers as partners send and read them.
import { z } from '@hono/zod-openapi';
import type { Quote, Transfer, TransferStep, WebhookDelivery } from '../../store/database.ts';
import type { TransferHold } from '../../store/theft-holds.ts';
import { AmountOut, PositiveIntegerString } from './amounts.ts';
import { id } from './ids.ts';
import { holdView, TransferHoldSchema } from './theft-holds.ts';

const Ids = {
  memberId: id('mbr'),
  sourceProgramId: id('prg'),
  targetProgramId: id('prg'),
};

export const CreateQuoteBody = z
  .object({
    ...Ids,
    sourcePoints: PositiveIntegerString.optional().openapi({
      description: 'Points to take from the member (before any fee).',
    }),
    targetPoints: PositiveIntegerString.optional().openapi({ description: 'Or: destination points wanted.' }),
  })
  .superRefine((body, context) => {
    if ((body.sourcePoints === undefined) === (body.targetPoints === undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['sourcePoints'],
        message: 'give exactly one of sourcePoints and targetPoints',
      });
    }
  })
  .openapi('CreateQuote');

export const QuoteSchema = z
  .object({
    id: z.string(),
    memberId: z.string(),
    sourceProgramId: z.string(),
    targetProgramId: z.string(),
    agreement: z.object({ id: z.string(), version: z.number().int() }),
    convertedSourcePoints: AmountOut,
    feePoints: AmountOut,
    debitPoints: AmountOut.openapi({
      description: 'Everything taken from the member: converted plus fee points.',
    }),
    creditPoints: AmountOut,
    ratio: z.object({ numerator: AmountOut, denominator: AmountOut }),
    creditRemainder: z.object({ numerator: AmountOut, denominator: AmountOut }).openapi({
      description: 'The fraction of a destination point not credited: the member is credited the floor.',
    }),
    modifiers: z.array(z.record(z.string(), z.unknown())),
    settlement: z.object({ amountMinor: AmountOut, feeAmountMinor: AmountOut, currency: z.string() }),
    expiresAt: z.string(),
  })
  .openapi('Quote');

export function quoteView(quote: Omit<Quote, 'created_at'>): z.infer<typeof QuoteSchema> {
  return {
    id: quote.id,
    memberId: quote.member_id,
    sourceProgramId: quote.source_program_id,
    targetProgramId: quote.target_program_id,
    agreement: { id: quote.agreement_id, version: quote.agreement_version },
    convertedSourcePoints: String(quote.converted_source_points),
    feePoints: String(quote.fee_points),
    debitPoints: String(quote.debit_points),
    creditPoints: String(quote.credit_points),
    ratio: { numerator: String(quote.ratio_numerator), denominator: String(quote.ratio_denominator) },
    creditRemainder: {
      numerator: String(quote.remainder_numerator),
      denominator: String(quote.remainder_denominator),
    },
    modifiers: quote.modifiers as Record<string, unknown>[],
    settlement: {
      amountMinor: String(quote.settlement_amount_minor),
      feeAmountMinor: String(quote.fee_amount_minor),
      currency: quote.currency,
    },
    expiresAt: quote.expires_at.toISOString(),
  };
}

export const CreateTransferBody = z
  .union([
    z.object({ quoteId: id('qte') }).strict(),
    z.object({ ...Ids, sourcePoints: PositiveIntegerString }).strict(),
  ])
  .openapi('CreateTransfer', { description: 'From a quote, or inline (quoted and started at once).' });

export const TransferSchema = z
  .object({
    id: z.string(),
    status: z.enum(['held', 'pending', 'reserved', 'credited', 'completed', 'failed', 'needs_attention']),
    quoteId: z.string(),
    memberId: z.string(),
    sourceProgramId: z.string(),
    targetProgramId: z.string(),
    debitPoints: AmountOut,
    creditPoints: AmountOut,
    failure: z.object({ code: z.string(), detail: z.string() }).nullable(),
    hold: TransferHoldSchema.nullable().openapi({
      description: 'Set when a theft hold held the transfer: why (signals, score), and what became of it.',
    }),
    steps: z.array(
      z.object({ step: z.string(), outcome: z.string(), detail: z.string().nullable(), at: z.string() }),
    ),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Transfer');

export function transferView(
  transfer: Transfer,
  steps: TransferStep[],
  hold: TransferHold | null = null,
): z.infer<typeof TransferSchema> {
  return {
    id: transfer.id,
    status: transfer.status,
    quoteId: transfer.quote_id,
    memberId: transfer.member_id,
    sourceProgramId: transfer.source_program_id,
    targetProgramId: transfer.target_program_id,
    debitPoints: String(transfer.debit_points),
    creditPoints: String(transfer.credit_points),
    failure: transfer.failure_code
      ? { code: transfer.failure_code, detail: transfer.failure_detail ?? '' }
      : null,
    hold: hold && holdView(hold),
    steps: steps.map((step) => ({
      step: step.step,
      outcome: step.outcome,
      detail: step.detail,
      at: step.at.toISOString(),
    })),
    createdAt: transfer.created_at.toISOString(),
    updatedAt: transfer.updated_at.toISOString(),
  };
}

export const WebhookDeliverySchema = z
  .object({
    id: z.string(),
    eventType: z.string(),
    eventId: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    createdAt: z.string(),
    payload: z.unknown(),
  })
  .openapi('WebhookDelivery');

export function deliveryView(delivery: WebhookDelivery): z.infer<typeof WebhookDeliverySchema> {
  return {
    id: delivery.id,
    eventType: delivery.event_type,
    eventId: delivery.event_id,
    status: delivery.status,
    attempts: delivery.attempts,
    lastError: delivery.last_error,
    deliveredAt: delivery.delivered_at?.toISOString() ?? null,
    createdAt: delivery.created_at.toISOString(),
    payload: delivery.payload,
  };
}
