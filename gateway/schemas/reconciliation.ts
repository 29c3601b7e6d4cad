// Reconciliation runs and breaks as finance and partners send and read them.
import { z } from '@hono/zod-openapi';
import { breakAgeHours, breakKinds, resolutions } from '../../domain/reconciliation.ts';
import { uploadColumns } from '../../domain/reconciliation-csv.ts';
import type { ReconciliationBreak, ReconciliationRun } from '../../store/database.ts';
import { AmountOut, pageQuery } from './amounts.ts';
import { documentText, text } from './common.ts';
import { id, idParam } from './ids.ts';

const Instant = z.iso.datetime({ offset: true });

const Period = {
  programId: id('prg'),
  from: Instant.openapi({
    description: 'The period starts here (inclusive).',
    example: '2026-11-28T00:00:00+08:00',
  }),
  to: Instant.openapi({
    description: 'And ends here (exclusive); at most 31 days after from.',
    example: '2026-11-29T00:00:00+08:00',
  }),
};

export const RequestRunBody = z.object(Period).strict().openapi('RequestReconciliationRun');

export const UploadBody = z
  .object({
    ...Period,
    csv: documentText(10 * 1024 * 1024).openapi({
      description: `Your operations of the period (and a few minutes either side), as CSV (RFC 4180, UTF-8, one header row; the whole request at most REQUEST_BODY_SIZE_MAX_BYTES, 256 KiB by default, about 3,000 rows: a longer list is read from your transactions API instead) with exactly these columns: ${uploadColumns.join(',')}. key: the gateway's idempotency key of the operation; operation: reserve, post, void, credit or reverse; account_ref: the member account (may be empty); points: a whole number; status: for a reserve reserved, posted, voided or expired, for a credit credited or reversed, else posted, voided or reversed; at: when it took effect, ISO 8601 with its offset. A malformed file is refused whole, naming its line and column.`,
      example: `${uploadColumns.join(',')}\r\ntrf_01jh8x4z3e6q2v8k9m0n1p2r3y:credit,member-42,700,credited,2026-11-28T10:15:00+08:00\r\n`,
    }),
  })
  .strict()
  .openapi('UploadPartnerTransactions');

export const RunPath = z.object({ runId: idParam('rec', 'runId') });
export const BreakPath = z.object({ breakId: idParam('brk', 'breakId') });

export const RunSchema = z
  .object({
    id: z.string(),
    partnerId: z.string(),
    programId: z.string(),
    period: z.object({ from: z.string(), to: z.string() }),
    source: z.enum(['partner_api', 'upload', 'hosted_ledger']),
    requestedBy: z.string(),
    status: z.enum(['running', 'completed', 'failed']),
    partnerItemCount: AmountOut.nullable(),
    matchedCount: AmountOut.nullable(),
    breakCounts: z.record(z.string(), z.number().int()).nullable(),
    failureDetail: z.string().nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('ReconciliationRun');

export function runView(run: ReconciliationRun): z.infer<typeof RunSchema> {
  return {
    id: run.id,
    partnerId: run.partner_id,
    programId: run.program_id,
    period: { from: run.period_from.toISOString(), to: run.period_to.toISOString() },
    source: run.source,
    requestedBy: run.requested_by,
    status: run.status,
    partnerItemCount: run.partner_item_count === null ? null : String(run.partner_item_count),
    matchedCount: run.matched_count === null ? null : String(run.matched_count),
    breakCounts: (run.break_counts as Record<string, number> | null) ?? null,
    failureDetail: run.failure_detail,
    startedAt: run.started_at.toISOString(),
    finishedAt: run.finished_at?.toISOString() ?? null,
  };
}

export const BreakSchema = z
  .object({
    id: z.string(),
    partnerId: z.string(),
    programId: z.string(),
    runId: z.string().openapi({ description: 'The run that found it.' }),
    kind: z.enum(breakKinds),
    itemKey: z.string().openapi({ description: "The operation's key (or `account:<ref>` for a balance)." }),
    operation: z.string().nullable(),
    accountRef: z.string().nullable(),
    gateway: z.object({ points: AmountOut.nullable(), status: z.string().nullable() }),
    partner: z.object({
      points: AmountOut.nullable(),
      status: z.string().nullable(),
      timesListed: z.number().int().nullable(),
    }),
    occurredAt: z.string(),
    ageHours: z.number().int().openapi({ description: 'Hours since the item happened.' }),
    detectedAt: z.string(),
    resolution: z
      .object({
        resolution: z.enum(resolutions),
        reason: z.string(),
        resolvedBy: z.string(),
        resolvedAt: z.string(),
      })
      .nullable(),
  })
  .openapi('ReconciliationBreak');

const optional = (value: bigint | null) => (value === null ? null : String(value));

export function breakView(found: ReconciliationBreak, now: Date): z.infer<typeof BreakSchema> {
  return {
    id: found.id,
    partnerId: found.partner_id,
    programId: found.program_id,
    runId: found.run_id,
    kind: found.kind as z.infer<typeof BreakSchema>['kind'],
    itemKey: found.item_key,
    operation: found.operation,
    accountRef: found.account_ref,
    gateway: { points: optional(found.gateway_points), status: found.gateway_status },
    partner: {
      points: optional(found.partner_points),
      status: found.partner_status,
      timesListed: found.partner_count,
    },
    occurredAt: found.occurred_at.toISOString(),
    ageHours: breakAgeHours(found.occurred_at, now),
    detectedAt: found.detected_at.toISOString(),
    resolution:
      found.resolution && found.resolved_at
        ? {
            resolution: found.resolution as (typeof resolutions)[number],
            reason: found.resolution_reason ?? '',
            resolvedBy: found.resolved_by ?? '',
            resolvedAt: found.resolved_at.toISOString(),
          }
        : null,
  };
}

export const BreaksQuery = pageQuery('brk').extend({
  partnerId: id('ptn')
    .optional()
    .openapi({ param: { name: 'partnerId', in: 'query' } }),
  kind: z
    .enum(breakKinds)
    .optional()
    .openapi({ param: { name: 'kind', in: 'query' } }),
  olderThanHours: z
    .string()
    .regex(/^\d{1,6}$/, 'a whole number of hours')
    .optional()
    .transform((value) => (value === undefined ? null : Number(value)))
    .openapi({
      param: { name: 'olderThanHours', in: 'query' },
      description: 'Only breaks at least this old.',
    }),
  state: z
    .enum(['open', 'resolved', 'all'])
    .default('open')
    .openapi({ param: { name: 'state', in: 'query' } }),
});

export const ResolveBreakBody = z
  .object({
    resolution: z.enum(resolutions).openapi({
      description:
        'adjusted: a correcting entry was made; written_off: the difference is accepted as a loss; partner_fixed: the partner corrected its books; gateway_fixed: the gateway side was corrected.',
    }),
    reason: text({ min: 1, max: 1000, trim: true }),
  })
  .strict()
  .openapi('ResolveBreak');
