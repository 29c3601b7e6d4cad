// The conservation monitor's results as the operator reads them (and as its alert webhook carries them).
import { z } from '@hono/zod-openapi';
import { conservationCheckNames } from '../../domain/conservation.ts';
import {
  type ConservationCheckDocument,
  type ConservationStatus,
  conservationCheckDocument,
} from '../../services/conservation.ts';
import { AmountOut } from './amounts.ts';

const CheckName = z.enum(conservationCheckNames).openapi({
  description:
    'ledger_not_zero_sum: hosted ledger entries do not sum to zero (examples: ledger transfer ids whose entries do not); accounts_out_of_balance: member accounts whose counters disagree with their entries (account ids); transfers_without_obligation: completed transfers with no `transfer` obligation (transfer ids); obligations_without_completed_transfer: `transfer` obligations whose transfer is not completed (transfer ids); reservations_past_expiry: hosted reservations still pending past their expiry and the grace (ledger transfer ids).',
});

export const ConservationCheckSchema = z
  .object({
    id: z.string(),
    runId: z
      .string()
      .openapi({ description: 'The monitor run that made it: `<Temporal workflow id>/<run id>`.' }),
    checkedAt: z.string(),
    ok: z.boolean(),
    failed: z.array(CheckName).openapi({ description: 'The checks that failed; empty when all held.' }),
    summary: z.string().openapi({ description: 'Each failure with its count and examples, in one line.' }),
    findings: z.object({
      entriesSum: z.string().openapi({ description: 'The sum of every hosted ledger entry: zero.' }),
      checks: z.array(
        z.object({
          name: CheckName,
          passed: z.boolean(),
          count: AmountOut.openapi({ description: 'How many rows break it.' }),
          exampleIds: z.array(z.string()).openapi({ description: 'The first few of them.' }),
        }),
      ),
    }),
  })
  .openapi('ConservationCheck');

export const ConservationStatusSchema = z
  .object({
    // A union rather than .nullable(): a nullable copy would carry the component's name with it.
    last: z.union([ConservationCheckSchema, z.null()]).openapi({
      description: 'The newest check; null before the first.',
    }),
    lastFailed: z.union([ConservationCheckSchema, z.null()]).openapi({
      description: 'The newest check that failed, however old; null if none ever did.',
    }),
    recent: z.array(ConservationCheckSchema).openapi({ description: 'The newest checks, newest first.' }),
  })
  .openapi('ConservationStatus');

export const ConservationQuery = z.object({
  limit: z
    .string()
    .regex(/^(100|[1-9][0-9]?)$/, 'a whole number from 1 to 100, in decimal digits')
    .optional()
    .transform((value) => (value === undefined ? 10 : Number(value)))
    .openapi({
      param: { name: 'limit', in: 'query' },
      description: 'How many recent checks, 1 to 100 (10 when absent).',
      example: '10',
    }),
});

export function conservationStatusView(status: ConservationStatus): {
  last: ConservationCheckDocument | null;
  lastFailed: ConservationCheckDocument | null;
  recent: ConservationCheckDocument[];
} {
  return {
    last: status.last ? conservationCheckDocument(status.last) : null,
    lastFailed: status.lastFailed ? conservationCheckDocument(status.lastFailed) : null,
    recent: status.recent.map(conservationCheckDocument),
  };
}
