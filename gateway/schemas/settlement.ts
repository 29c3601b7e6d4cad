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
    obligationCount: AmountOut.nullable().openapi({
      description: 'How many obligations it holds; null while open, and until the close has netted it.',
    }),
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

const StatementCounterpartySchema = z.object({
  counterpartyId: z.string().openapi({ description: 'A partner id, or `alliance` for its fees.' }),
  currency: z.string(),
  payableMinor: AmountOut,
  payableCount: AmountOut.openapi({ description: 'How many obligations (lines) make up payableMinor.' }),
  receivableMinor: AmountOut,
  receivableCount: AmountOut,
  netMinor: z.string().openapi({ description: 'Receivable minus payable.' }),
});

export const StatementDocumentSchema = z
  .object({
    type: z.literal('settlement-statement'),
    partnerId: z.string(),
    cycleId: z.string(),
    periodLabel: z.string(),
    issuedAt: z.string().openapi({ description: 'When the cycle was closed, which issued it.' }),
    lineCount: AmountOut.openapi({ description: 'How many lines its lines document holds.' }),
    counterparties: z.array(StatementCounterpartySchema),
    instructions: z
      .array(
        z.object({
          id: z.string(),
          direction: z.enum(['pay', 'receive']),
          counterpartyId: z.string(),
          amountMinor: AmountOut,
          currency: z.string(),
        }),
      )
      .openapi({
        description: 'Your payments as netting issued them; whether each is paid is at `…/instructions`.',
      }),
  })
  .openapi('SettlementStatementDocument');

export const StatementSchema = z
  .object({
    statement: StatementDocumentSchema,
    jws: z.string().openapi({
      description:
        'A compact JWS whose payload is exactly `statement`, signed with a key of /.well-known/jwks.json (verify with `npm run verify-statement -- FILE` or any JOSE library).',
    }),
  })
  .openapi('SettlementStatement');

export const StatementLineSchema = z.object({
  obligationId: z.string(),
  kind: z.string(),
  sourceId: z.string().openapi({ description: 'What caused it: a transfer id for a transfer or its fee.' }),
  direction: z.enum(['payable', 'receivable']),
  counterpartyId: z.string(),
  amountMinor: AmountOut,
  currency: z.string(),
  at: z.string(),
});

export const StatementLinesSchema = z
  .object({
    statementLines: z
      .object({
        type: z.literal('settlement-statement-lines'),
        partnerId: z.string(),
        cycleId: z.string(),
        statementSha256: z.string().openapi({
          description:
            "Base64url SHA-256 of the statement's signed JSON (its JWS payload): these are its lines.",
        }),
        lines: z.array(StatementLineSchema),
      })
      .openapi('SettlementStatementLinesDocument'),
    jws: z.string().openapi({
      description: 'A compact JWS whose payload is exactly `statementLines`, signed like the statement.',
    }),
  })
  .openapi('SettlementStatementLines');
