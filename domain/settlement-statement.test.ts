// A statement issued from the close's gross sums and the lines read from the obligations must agree:
// the lines add up to the statement's figures, per counterparty and currency, and a changed line
// does not. Method: obligations summed the way the close's GROUP BY sums them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildStatementLines,
  buildStatements,
  checkLinesAgainstStatement,
  type StatementGross,
  type StatementObligation,
} from './settlement-statement.ts';

const at = new Date('2026-11-29T16:00:00Z');
const obligation = (
  id: number,
  debtorId: string,
  creditorId: string,
  amountMinor: bigint,
  currency = 'CNY',
) =>
  ({
    obligationId: BigInt(id),
    kind: creditorId === 'alliance' ? 'alliance_fee' : 'transfer',
    sourceId: `trf_${id}`,
    debtorId,
    creditorId,
    amountMinor,
    currency,
    createdAt: at,
  }) satisfies StatementObligation;

const obligations = [
  obligation(1, 'coffee', 'airline', 700n),
  obligation(2, 'coffee', 'airline', 700n),
  obligation(3, 'airline', 'coffee', 300n),
  obligation(4, 'coffee', 'alliance', 20n),
  obligation(5, 'coffee', 'coffee', 50n), // owed to itself: no line, no figure
  obligation(6, 'airline', 'coffee', 0n), // beside 300 in its pair: a line, counted with it
  obligation(7, 'airline', 'coffee', 900n, 'USD'),
  obligation(8, 'coffee', 'airline', 0n, 'USD'), // its pair all zero: no line, no figure
  obligation(9, 'bookstore', 'coffee', 0n), // the same
];

/**
 * What the close's GROUP BY gives (store/settlement.ts `grossSums`): sums and counts per currency and
 * ordered pair, every obligation counted; a pair owed to itself or summing to zero left out.
 */
function grossOf(rows: readonly StatementObligation[]): StatementGross[] {
  const sums = new Map<string, StatementGross>();
  for (const row of rows) {
    const key = `${row.currency} ${row.debtorId} ${row.creditorId}`;
    const sum = sums.get(key) ?? { ...row, amountMinor: 0n, obligationCount: 0n };
    sum.amountMinor += row.amountMinor;
    sum.obligationCount += 1n;
    sums.set(key, sum);
  }
  return [...sums.values()].filter((sum) => sum.debtorId !== sum.creditorId && sum.amountMinor !== 0n);
}

const [coffee, airline, bookstore] = buildStatements({
  partnerIds: ['coffee', 'airline', 'bookstore'],
  cycleId: 'cyc_1',
  periodLabel: '2026-11-29T16:00:00Z',
  issuedAt: at,
  gross: grossOf(obligations),
  instructions: [
    { id: 'ins_1', payerId: 'coffee', payeeId: 'airline', amountMinor: 1_100n, currency: 'CNY' },
  ],
});
const linesOf = (partnerId: string) =>
  buildStatementLines({ partnerId, cycleId: 'cyc_1', statementSha256: 'digest', obligations });

describe('a statement issued from the gross sums', () => {
  it('states per counterparty and currency what the partner owes and is owed, and how many lines', () => {
    expect(coffee?.counterparties).toEqual([
      {
        counterpartyId: 'airline',
        currency: 'CNY',
        payableMinor: '1400',
        payableCount: '2',
        receivableMinor: '300',
        receivableCount: '2',
        netMinor: '-1100',
      },
      expect.objectContaining({ counterpartyId: 'alliance', payableMinor: '20', netMinor: '-20' }),
      expect.objectContaining({ counterpartyId: 'airline', currency: 'USD', receivableMinor: '900' }),
    ]);
    expect(coffee?.lineCount).toBe('6');
    expect(coffee?.instructions).toEqual([
      { id: 'ins_1', direction: 'pay', counterpartyId: 'airline', amountMinor: '1100', currency: 'CNY' },
    ]);
    expect(airline?.instructions).toEqual([expect.objectContaining({ direction: 'receive' })]);
    expect(bookstore).toMatchObject({ lineCount: '0', counterparties: [], instructions: [] });
  });

  it('agrees with the lines read from the obligations, for every partner', () => {
    for (const statement of [coffee, airline, bookstore]) {
      if (!statement) throw new Error('no statement');
      const lines = linesOf(statement.partnerId);
      expect(lines.lines).toHaveLength(Number(statement.lineCount));
      expect(checkLinesAgainstStatement(statement, lines)).toBeNull();
    }
  });

  it('lists a zero obligation beside others of its pair, counted with them, and no all-zero pair', () => {
    if (!coffee || !bookstore) throw new Error('no statement');
    const lines = linesOf('coffee');
    expect(lines.lines.map((line) => line.obligationId)).toEqual(['1', '2', '3', '4', '6', '7']);
    expect(lines.lines[4]).toMatchObject({
      direction: 'receivable',
      counterpartyId: 'airline',
      amountMinor: '0',
      currency: 'CNY',
    });
    expect(coffee.counterparties[0]).toMatchObject({ receivableMinor: '300', receivableCount: '2' });
    expect(coffee.counterparties[2]).toMatchObject({ payableMinor: '0', payableCount: '0' });
    expect(checkLinesAgainstStatement(coffee, lines)).toBeNull();
    expect(linesOf('bookstore').lines).toEqual([]);
    expect(checkLinesAgainstStatement(bookstore, linesOf('bookstore'))).toBeNull();
  });

  it('agrees with its lines for any obligations, zeros among them', () => {
    // Property: the lines of each partner, from its own obligations as the store lists them, add up
    // to the statement issued from the GROUP BY over all of them. Small amounts make zeros common.
    const partnerIds = ['airline', 'bookstore', 'coffee'];
    const obligationsArbitrary = fc.array(
      fc.record({
        debtorId: fc.constantFrom(...partnerIds),
        creditorId: fc.constantFrom('alliance', ...partnerIds),
        amountMinor: fc.bigInt({ min: 0n, max: 2n }),
        currency: fc.constantFrom('CNY', 'USD'),
      }),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(obligationsArbitrary, (rows) => {
        const all = rows.map((row, index) =>
          obligation(index + 1, row.debtorId, row.creditorId, row.amountMinor, row.currency),
        );
        const statements = buildStatements({
          partnerIds,
          cycleId: 'cyc_1',
          periodLabel: '2026-11-29T16:00:00Z',
          issuedAt: at,
          gross: grossOf(all),
          instructions: [],
        });
        for (const statement of statements) {
          const lines = buildStatementLines({
            partnerId: statement.partnerId,
            cycleId: 'cyc_1',
            statementSha256: 'digest',
            obligations: all.filter(
              (row) => row.debtorId === statement.partnerId || row.creditorId === statement.partnerId,
            ),
          });
          expect(checkLinesAgainstStatement(statement, lines)).toBeNull();
        }
      }),
      { numRuns: 500 },
    );
  });

  it('disagrees with lines that were changed, dropped, or are another partner’s', () => {
    if (!coffee) throw new Error('no statement');
    const lines = linesOf('coffee');
    const [first, ...rest] = lines.lines;
    if (!first) throw new Error('no line');
    const changed = { ...lines, lines: [{ ...first, amountMinor: '701' }, ...rest] };
    expect(checkLinesAgainstStatement(coffee, changed)).toMatch(/do not add up/);
    const swapped = { ...lines, lines: [{ ...first, counterpartyId: 'bookstore' }, ...rest] };
    expect(checkLinesAgainstStatement(coffee, swapped)).toMatch(/do not add up/);
    expect(checkLinesAgainstStatement(coffee, { ...lines, lines: rest })).toMatch(/5 lines/);
    expect(checkLinesAgainstStatement(coffee, linesOf('airline'))).toMatch(/airline's/);
  });
});
