// Reversals as partners and finance send and read them.
import { z } from '@hono/zod-openapi';
import type { TransferReversal } from '../../store/database.ts';
import { AmountOut, PositiveIntegerString } from './amounts.ts';
import { text } from './common.ts';
import { idParam } from './ids.ts';

export const ReverseTransferBody = z
  .object({
    sourcePoints: PositiveIntegerString.optional().openapi({
      description:
        "Source points to give back to the member, out of the transfer's debit; leave it out to reverse everything not yet reversed. The destination points taken back and the settlement amount returned follow in proportion.",
    }),
    reason: text({ min: 1, max: 500, trim: true }).openapi({ example: 'order 7731 refunded' }),
  })
  .strict()
  .openapi('ReverseTransfer');

export const TransferPath = z.object({ transferId: idParam('trf', 'transferId') });
export const ReversalPath = z.object({ reversalId: idParam('rvs', 'reversalId') });

const Figures = z.object({
  sourcePoints: AmountOut,
  targetPoints: AmountOut,
  settlementAmountMinor: AmountOut,
});

export const ReversalSchema = z
  .object({
    id: z.string(),
    transferId: z.string(),
    status: z.enum(['pending', 'taken', 'completed', 'failed', 'needs_attention']),
    requestedBy: z.string().openapi({ description: 'The source partner, or `finance`.' }),
    reason: z.string(),
    asked: Figures.openapi({ description: 'What the reversal asked for, fixed when it was accepted.' }),
    currency: z.string(),
    shortfallPayer: z.enum(['source_partner', 'target_partner']).openapi({
      description: 'Who bears the points the target member no longer had (from the rate agreement).',
    }),
    takenTargetPoints: AmountOut.nullable().openapi({
      description: 'What the target took back; null until it answered.',
    }),
    returnedSourcePoints: AmountOut.nullable(),
    reversedAmountMinor: AmountOut.nullable().openapi({
      description: 'What the target partner now owes the source partner: an obligation of kind `reversal`.',
    }),
    failure: z.object({ code: z.string(), detail: z.string() }).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Reversal');

const optional = (value: bigint | null) => (value === null ? null : String(value));

export function reversalView(reversal: TransferReversal): z.infer<typeof ReversalSchema> {
  return {
    id: reversal.id,
    transferId: reversal.transfer_id,
    status: reversal.status,
    requestedBy: reversal.requested_by,
    reason: reversal.reason,
    asked: {
      sourcePoints: String(reversal.source_points),
      targetPoints: String(reversal.target_points),
      settlementAmountMinor: String(reversal.settlement_amount_minor),
    },
    currency: reversal.currency,
    shortfallPayer: reversal.shortfall_payer,
    takenTargetPoints: optional(reversal.taken_target_points),
    returnedSourcePoints: optional(reversal.returned_source_points),
    reversedAmountMinor: optional(reversal.reversed_amount_minor),
    failure: reversal.failure_code
      ? { code: reversal.failure_code, detail: reversal.failure_detail ?? '' }
      : null,
    createdAt: reversal.created_at.toISOString(),
    updatedAt: reversal.updated_at.toISOString(),
  };
}
