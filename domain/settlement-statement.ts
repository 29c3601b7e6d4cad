// A partner's statement of one settlement cycle, in two signed documents:
// - the statement, issued at the close: per counterparty and currency what the partner owes and is
//   owed (amount and number of obligations) and the net, and the payments netting gave it. Built from
//   the close's gross sums, so issuing all partners' statements costs no pass over the obligations;
// - its lines, every obligation behind those figures, built when the partner downloads them and
//   bound to the statement by the statement's digest. `checkLinesAgainstStatement` says whether the
//   lines add up to the statement's figures.
// Pure: the use case reads the rows, this shapes them; amounts stay bigint here and become decimal
// strings only in the documents.

/** What one party owed another in a cycle, summed by the close's GROUP BY. */
export interface StatementGross {
  currency: string;
  debtorId: string;
  creditorId: string;
  amountMinor: bigint;
  obligationCount: bigint;
}

export interface StatementInstruction {
  id: string;
  payerId: string;
  payeeId: string;
  amountMinor: bigint;
  currency: string;
}

export interface StatementCounterparty {
  counterpartyId: string;
  currency: string;
  payableMinor: string;
  /** How many obligations make up payableMinor: the lines to expect. */
  payableCount: string;
  receivableMinor: string;
  receivableCount: string;
  /** Receivable minus payable: positive, the counterparty owes the partner. */
  netMinor: string;
}

/** The statement as signed: plain JSON, amounts and counts as decimal strings, in a stable order. */
export interface StatementDocument {
  type: 'settlement-statement';
  partnerId: string;
  cycleId: string;
  periodLabel: string;
  issuedAt: string;
  /** How many lines the statement's lines document holds. */
  lineCount: string;
  counterparties: StatementCounterparty[];
  /** The payments netting gave the partner, as issued; whether each is paid yet is on the instructions API. */
  instructions: {
    id: string;
    direction: 'pay' | 'receive';
    counterpartyId: string;
    amountMinor: string;
    currency: string;
  }[];
}

interface Sums {
  payable: bigint;
  payableCount: bigint;
  receivable: bigint;
  receivableCount: bigint;
}

/** Per currency, per counterparty: what a partner owes and is owed. */
type SumsTable = Map<string, Map<string, Sums>>;

function sumsFor(table: SumsTable, currency: string, counterpartyId: string): Sums {
  let byCounterparty = table.get(currency);
  if (!byCounterparty) {
    byCounterparty = new Map();
    table.set(currency, byCounterparty);
  }
  let sums = byCounterparty.get(counterpartyId);
  if (!sums) {
    sums = { payable: 0n, payableCount: 0n, receivable: 0n, receivableCount: 0n };
    byCounterparty.set(counterpartyId, sums);
  }
  return sums;
}

/** By currency, then counterparty, in code-unit order (sort's own), never a locale's: the same everywhere. */
function counterpartiesOf(table: SumsTable): { counterparties: StatementCounterparty[]; lineCount: bigint } {
  const counterparties: StatementCounterparty[] = [];
  let lineCount = 0n;
  for (const currency of [...table.keys()].sort()) {
    const byCounterparty = table.get(currency) as Map<string, Sums>;
    for (const counterpartyId of [...byCounterparty.keys()].sort()) {
      const sums = byCounterparty.get(counterpartyId) as Sums;
      lineCount += sums.payableCount + sums.receivableCount;
      counterparties.push({
        counterpartyId,
        currency,
        payableMinor: String(sums.payable),
        payableCount: String(sums.payableCount),
        receivableMinor: String(sums.receivable),
        receivableCount: String(sums.receivableCount),
        netMinor: String(sums.receivable - sums.payable),
      });
    }
  }
  return { counterparties, lineCount };
}

/**
 * Every listed partner's statement of a closed cycle, from the cycle's gross sums and instructions
 * (one pass over each): a partner party to nothing gets a statement with no figures.
 */
export function buildStatements(input: {
  partnerIds: readonly string[];
  cycleId: string;
  periodLabel: string;
  issuedAt: Date;
  gross: readonly StatementGross[];
  instructions: readonly StatementInstruction[];
}): StatementDocument[] {
  const tables = new Map<string, SumsTable>(input.partnerIds.map((partnerId) => [partnerId, new Map()]));
  for (const pair of input.gross) {
    // What a party owes itself moves no money and is no line (the close leaves it out too).
    if (pair.debtorId === pair.creditorId || pair.amountMinor <= 0n) continue;
    const debtor = tables.get(pair.debtorId);
    if (debtor) {
      const sums = sumsFor(debtor, pair.currency, pair.creditorId);
      sums.payable += pair.amountMinor;
      sums.payableCount += pair.obligationCount;
    }
    const creditor = tables.get(pair.creditorId);
    if (creditor) {
      const sums = sumsFor(creditor, pair.currency, pair.debtorId);
      sums.receivable += pair.amountMinor;
      sums.receivableCount += pair.obligationCount;
    }
  }
  const instructionsOf = new Map<string, StatementDocument['instructions']>(
    input.partnerIds.map((partnerId) => [partnerId, []]),
  );
  const byId = [...input.instructions].sort((left, right) => (left.id < right.id ? -1 : 1));
  for (const instruction of byId) {
    const { id, amountMinor, currency } = instruction;
    const amount = String(amountMinor);
    instructionsOf
      .get(instruction.payerId)
      ?.push({ id, direction: 'pay', counterpartyId: instruction.payeeId, amountMinor: amount, currency });
    instructionsOf.get(instruction.payeeId)?.push({
      id,
      direction: 'receive',
      counterpartyId: instruction.payerId,
      amountMinor: amount,
      currency,
    });
  }
  const issuedAt = input.issuedAt.toISOString();
  return input.partnerIds.map((partnerId) => {
    const { counterparties, lineCount } = counterpartiesOf(tables.get(partnerId) as SumsTable);
    return {
      type: 'settlement-statement',
      partnerId,
      cycleId: input.cycleId,
      periodLabel: input.periodLabel,
      issuedAt,
      lineCount: String(lineCount),
      counterparties,
      instructions: instructionsOf.get(partnerId) ?? [],
    };
  });
}

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

export interface StatementLine {
  obligationId: string;
  kind: string;
  sourceId: string;
  direction: 'payable' | 'receivable';
  counterpartyId: string;
  amountMinor: string;
  currency: string;
  at: string;
}

/** A statement's lines as signed: every obligation behind its figures, oldest first. */
export interface StatementLinesDocument {
  type: 'settlement-statement-lines';
  partnerId: string;
  cycleId: string;
  /** Base64url SHA-256 of the statement's signed JSON: these are that statement's lines. */
  statementSha256: string;
  lines: StatementLine[];
}

/** The ordered pair, per currency, an obligation is summed under by the close's GROUP BY. */
function pairOf(obligation: StatementObligation): string {
  return JSON.stringify([obligation.currency, obligation.debtorId, obligation.creditorId]);
}

/**
 * The lines of the partner's statement, from all its obligations of the cycle: a pair's sum is
 * taken from them, so a partial list could drop a line of a pair it cuts.
 */
export function buildStatementLines(input: {
  partnerId: string;
  cycleId: string;
  statementSha256: string;
  obligations: readonly StatementObligation[];
}): StatementLinesDocument {
  const own = input.obligations.filter(
    (obligation) => (obligation.debtorId === input.partnerId) !== (obligation.creditorId === input.partnerId),
  );
  // The close's GROUP BY counts every obligation of a pair, a zero among them, and the statement
  // states only the pairs whose sum is above zero: the lines keep exactly those obligations, or they
  // would not add up to it.
  const pairSums = new Map<string, bigint>();
  for (const obligation of own) {
    const pair = pairOf(obligation);
    pairSums.set(pair, (pairSums.get(pair) ?? 0n) + obligation.amountMinor);
  }
  const lines = own
    .filter((obligation) => (pairSums.get(pairOf(obligation)) ?? 0n) > 0n)
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
  return {
    type: 'settlement-statement-lines',
    partnerId: input.partnerId,
    cycleId: input.cycleId,
    statementSha256: input.statementSha256,
    lines,
  };
}

/**
 * Whether lines (signed, or read back from the CSV) add up to the statement: the same partner and
 * cycle, and per counterparty and currency the same amounts and numbers of obligations. Null when
 * they do; otherwise what differs.
 */
export function checkLinesAgainstStatement(
  statement: Pick<StatementDocument, 'partnerId' | 'cycleId' | 'lineCount' | 'counterparties'>,
  lines: {
    partnerId: string;
    cycleId: string;
    lines: readonly Omit<StatementLine, 'kind' | 'sourceId' | 'at'>[];
  },
): string | null {
  if (lines.partnerId !== statement.partnerId || lines.cycleId !== statement.cycleId) {
    return `the lines are ${lines.partnerId}'s for cycle ${lines.cycleId}, not this statement's`;
  }
  if (String(lines.lines.length) !== statement.lineCount) {
    return `${lines.lines.length} lines where the statement counts ${statement.lineCount}`;
  }
  const table: SumsTable = new Map();
  for (const line of lines.lines) {
    if (!/^(0|[1-9]\d*)$/.test(line.amountMinor))
      return `line ${line.obligationId}: amount ${line.amountMinor}`;
    const sums = sumsFor(table, line.currency, line.counterpartyId);
    if (line.direction === 'payable') {
      sums.payable += BigInt(line.amountMinor);
      sums.payableCount += 1n;
    } else if (line.direction === 'receivable') {
      sums.receivable += BigInt(line.amountMinor);
      sums.receivableCount += 1n;
    } else {
      return `line ${line.obligationId}: direction ${line.direction}`;
    }
  }
  const added = JSON.stringify(counterpartiesOf(table).counterparties);
  return added === JSON.stringify(statement.counterparties)
    ? null
    : 'the lines do not add up to the figures per counterparty and currency';
}

/** The lines as CSV rows: one header row, amounts as decimal strings. */
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
