// A partner's statement of one settlement cycle: every obligation it is party to (its lines), gross
// and net per counterparty and currency, and the payments it must make or will receive. Pure: the
// use case reads the rows, this shapes them; amounts stay bigint here and become decimal strings
// only in the signed document.

export interface StatementObligation {
  obligationId: bigint;
  kind: string;
  sourceId: string;
  debtorId: string;
  creditorId: string;
  amountMinor: bigint;
  currency: string;
  createdAt: Date;
}

export interface StatementInstruction {
  id: string;
  payerId: string;
  payeeId: string;
  amountMinor: bigint;
  currency: string;
  status: string;
}

export interface StatementInput {
  partnerId: string;
  cycleId: string;
  periodLabel: string;
  issuedAt: Date;
  obligations: readonly StatementObligation[];
  instructions: readonly StatementInstruction[];
}

/** The statement as signed: plain JSON, amounts as decimal strings, in a stable order. */
export interface StatementDocument {
  type: 'settlement-statement';
  partnerId: string;
  cycleId: string;
  periodLabel: string;
  issuedAt: string;
  lines: {
    obligationId: string;
    kind: string;
    sourceId: string;
    direction: 'payable' | 'receivable';
    counterpartyId: string;
    amountMinor: string;
    currency: string;
    at: string;
  }[];
  counterparties: {
    counterpartyId: string;
    currency: string;
    payableMinor: string;
    receivableMinor: string;
    netMinor: string;
  }[];
  instructions: {
    id: string;
    direction: 'pay' | 'receive';
    counterpartyId: string;
    amountMinor: string;
    currency: string;
    status: string;
  }[];
}

export function buildStatement(input: StatementInput): StatementDocument {
  const own = input.obligations.filter(
    (obligation) =>
      (obligation.debtorId === input.partnerId) !== (obligation.creditorId === input.partnerId) &&
      obligation.amountMinor > 0n,
  );
  const lines = [...own]
    .sort((left, right) => (left.obligationId < right.obligationId ? -1 : 1))
    .map((obligation) => {
      const payable = obligation.debtorId === input.partnerId;
      return {
        obligationId: String(obligation.obligationId),
        kind: obligation.kind,
        sourceId: obligation.sourceId,
        direction: payable ? ('payable' as const) : ('receivable' as const),
        counterpartyId: payable ? obligation.creditorId : obligation.debtorId,
        amountMinor: String(obligation.amountMinor),
        currency: obligation.currency,
        at: obligation.createdAt.toISOString(),
      };
    });
  const sums = new Map<
    string,
    { counterpartyId: string; currency: string; payable: bigint; receivable: bigint }
  >();
  for (const line of lines) {
    const key = `${line.currency} ${line.counterpartyId}`;
    const sum = sums.get(key) ?? {
      counterpartyId: line.counterpartyId,
      currency: line.currency,
      payable: 0n,
      receivable: 0n,
    };
    if (line.direction === 'payable') sum.payable += BigInt(line.amountMinor);
    else sum.receivable += BigInt(line.amountMinor);
    sums.set(key, sum);
  }
  const counterparties = [...sums.values()]
    .sort((left, right) => {
      // Code-unit order, never a locale's: the same statement on every machine.
      const [a, b] = [`${left.currency} ${left.counterpartyId}`, `${right.currency} ${right.counterpartyId}`];
      return a < b ? -1 : a > b ? 1 : 0;
    })
    .map((sum) => ({
      counterpartyId: sum.counterpartyId,
      currency: sum.currency,
      payableMinor: String(sum.payable),
      receivableMinor: String(sum.receivable),
      netMinor: String(sum.receivable - sum.payable),
    }));
  const instructions = input.instructions
    .filter(
      (instruction) => instruction.payerId === input.partnerId || instruction.payeeId === input.partnerId,
    )
    .map((instruction) => {
      const pays = instruction.payerId === input.partnerId;
      return {
        id: instruction.id,
        direction: pays ? ('pay' as const) : ('receive' as const),
        counterpartyId: pays ? instruction.payeeId : instruction.payerId,
        amountMinor: String(instruction.amountMinor),
        currency: instruction.currency,
        status: instruction.status,
      };
    })
    .sort((left, right) => (left.id < right.id ? -1 : 1));
  return {
    type: 'settlement-statement',
    partnerId: input.partnerId,
    cycleId: input.cycleId,
    periodLabel: input.periodLabel,
    issuedAt: input.issuedAt.toISOString(),
    lines,
    counterparties,
    instructions,
  };
}

/** The statement's lines as CSV rows: one header row, amounts as decimal strings. */
export const statementCsvColumns = [
  'obligationId',
  'kind',
  'sourceId',
  'direction',
  'counterpartyId',
  'amountMinor',
  'currency',
  'at',
] as const;
