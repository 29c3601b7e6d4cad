// Finance flags as finance reads and resolves them.
import { z } from '@hono/zod-openapi';
import type { FinanceFlag } from '../../store/database.ts';
import { text } from './common.ts';

const flagIdPattern = /^[1-9]\d{0,17}$/;

export const FlagPath = z.object({
  flagId: z
    .string()
    .regex(flagIdPattern, 'a flag id: a whole number')
    .openapi({ param: { name: 'flagId', in: 'path' }, example: '42' }),
});

export const FlagsQuery = z.object({
  state: z
    .enum(['open', 'resolved', 'all'])
    .default('open')
    .openapi({ param: { name: 'state', in: 'query' } }),
  limit: z
    .string()
    .regex(/^(100|[1-9][0-9]?)$/, 'a whole number from 1 to 100, in decimal digits')
    .optional()
    .transform((value) => (value === undefined ? 20 : Number(value)))
    .openapi({ param: { name: 'limit', in: 'query' } }),
  cursor: z
    .string()
    .regex(flagIdPattern, 'nextCursor from the previous page')
    .optional()
    .openapi({ param: { name: 'cursor', in: 'query' } }),
});

export const FlagSchema = z
  .object({
    id: z.string(),
    transferId: z
      .string()
      .nullable()
      .openapi({ description: 'The transfer flagged; null when the flag names another subject.' }),
    reversalId: z.string().nullable().openapi({ description: "The transfer's reversal flagged, if any." }),
    catalogOrderId: z
      .string()
      .nullable()
      .openapi({ description: 'The catalog order flagged (its post cannot be known).' }),
    accrualId: z.string().nullable().openapi({
      description: 'The accrual flagged (its credit, or a reversal’s take-back, cannot be known).',
    }),
    accrualReversalId: z
      .string()
      .nullable()
      .openapi({ description: "The accrual's reversal flagged, if any." }),
    pointsPaymentId: z.string().nullable().openapi({
      description: 'The points payment flagged (one of its operations cannot be known or undone).',
    }),
    reason: z.string().openapi({ description: 'What happened, and who bears it where that is known.' }),
    createdAt: z.string(),
    resolution: z.object({ reason: z.string(), resolvedBy: z.string(), resolvedAt: z.string() }).nullable(),
  })
  .openapi('FinanceFlag');

export const FlagsPageSchema = z
  .object({ items: z.array(FlagSchema), nextCursor: z.string().nullable() })
  .openapi('FinanceFlagsPage');

export const ResolveFlagBody = z
  .object({ reason: text({ min: 1, max: 1000, trim: true }) })
  .strict()
  .openapi('ResolveFinanceFlag');

export function flagView(flag: FinanceFlag): z.infer<typeof FlagSchema> {
  return {
    id: String(flag.id),
    transferId: flag.transfer_id,
    reversalId: flag.reversal_id,
    catalogOrderId: flag.catalog_order_id,
    accrualId: flag.accrual_id,
    accrualReversalId: flag.accrual_reversal_id,
    pointsPaymentId: flag.points_payment_id,
    reason: flag.reason,
    createdAt: flag.created_at.toISOString(),
    resolution:
      flag.resolved_at && flag.resolution_reason !== null
        ? {
            reason: flag.resolution_reason,
            resolvedBy: flag.resolved_by ?? '',
            resolvedAt: flag.resolved_at.toISOString(),
          }
        : null,
  };
}
