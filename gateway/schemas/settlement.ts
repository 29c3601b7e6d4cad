// Settlement as finance and partners read it: cycles, positions, payment instructions. Amounts are
// decimal strings of minor units.
import { z } from '@hono/zod-openapi';
import type { CycleSummary } from '../../services/settlement.ts';
import type { SettlementCycle, SettlementInstruction, SettlementPosition } from '../../store/database.ts';
import { AmountOut } from './amounts.ts';
import { text } from './common.ts';
import { id } from './ids.ts';

export const CycleSchema = z
  .object({
    id: z.string(),
    status: z.enum(['open', 'closed', 'settled']),
    periodLabel: z
      .string()
      .nullable()
      .openapi({ description: 'The cut-off that closed it (UTC); null while open.' }),
    openedAt: z.string(),
    closedAt: z.string().nullable(),
    settledAt: z.string().nullable(),
    obligationCount: AmountOut.nullable(),
  })
  .openapi('SettlementCycle');

export const PositionSchema = z
  .object({
    partyId: z.string().openapi({ description: 'A partner id, or `alliance` for the alliance fees.' }),
    currency: z.string(),
    receivableMinor: AmountOut,
    payableMinor: AmountOut,
    netMinor: z.string().openapi({ description: 'Positive: receives; negative: pays.' }),
  })
  .openapi('SettlementPosition');

export const CycleSummarySchema = z
  .object({
    cycle: CycleSchema,
    totals: z.array(
      z.object({
        currency: z.string(),
        grossMinor: AmountOut,
        netMinor: AmountOut,
        savedBasisPoints: AmountOut.openapi({
          description: 'The share of the gross that netting saved, in 1/10,000.',
        }),
      }),
    ),
    positions: z.array(PositionSchema),
  })
  .openapi('SettlementCycleSummary');

export const InstructionSchema = z
  .object({
    id: z.string(),
    cycleId: z.string(),
    currency: z.string(),
    payerId: z.string(),
    payeeId: z.string(),
    amountMinor: AmountOut,
    status: z.enum(['open', 'paid']),
    paymentReference: z.string().nullable(),
    paidAt: z.string().nullable(),
  })
  .openapi('PaymentInstruction');

export const CyclePath = z.object({
  cycleId: id('cyc').openapi({ param: { name: 'cycleId', in: 'path' } }),
});
export const InstructionPath = z.object({
  instructionId: id('ins').openapi({ param: { name: 'instructionId', in: 'path' } }),
});

export const MarkPaidBody = z
  .object({
    paymentReference: text({ min: 1, max: 200, trim: true }).openapi({
      description: 'Your bank or ledger reference.',
    }),
  })
  .strict()
  .openapi('MarkInstructionPaid');

export const CloseCycleBody = z.object({}).strict().openapi('CloseSettlementCycle');

export function cycleView(cycle: SettlementCycle): z.infer<typeof CycleSchema> {
  return {
    id: cycle.id,
    status: cycle.status,
    periodLabel: cycle.period_label,
    openedAt: cycle.opened_at.toISOString(),
    closedAt: cycle.closed_at?.toISOString() ?? null,
    settledAt: cycle.settled_at?.toISOString() ?? null,
    obligationCount: cycle.obligation_count === null ? null : String(cycle.obligation_count),
  };
}

function positionView(position: SettlementPosition): z.infer<typeof PositionSchema> {
  return {
    partyId: position.party_id,
    currency: position.currency,
    receivableMinor: String(position.receivable_minor),
    payableMinor: String(position.payable_minor),
    netMinor: String(position.net_minor),
  };
}

export function cycleSummaryView(summary: CycleSummary): z.infer<typeof CycleSummarySchema> {
  return {
    cycle: cycleView(summary.cycle),
    totals: summary.totals.map((total) => ({
      currency: total.currency,
      grossMinor: String(total.grossMinor),
      netMinor: String(total.netMinor),
      savedBasisPoints: String(total.savedBasisPoints),
    })),
    positions: summary.positions.map(positionView),
  };
}

export function instructionView(instruction: SettlementInstruction): z.infer<typeof InstructionSchema> {
  return {
    id: instruction.id,
    cycleId: instruction.cycle_id,
    currency: instruction.currency,
    payerId: instruction.payer_id,
    payeeId: instruction.payee_id,
    amountMinor: String(instruction.amount_minor),
    status: instruction.status,
    paymentReference: instruction.payment_reference,
    paidAt: instruction.paid_at?.toISOString() ?? null,
  };
}
