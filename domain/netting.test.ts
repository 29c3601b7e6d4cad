import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { int8Max } from './arithmetic.ts';
import {
  type CurrencyNetting,
  netGross,
  netObligations,
  type Obligation,
  type PaymentInstruction,
  sumGrossPairs,
} from './netting.ts';

const owes = (debtor: string, creditor: string, amountMinor: bigint, currency = 'CNY'): Obligation => ({
  debtorPartnerId: debtor,
  creditorPartnerId: creditor,
  amountMinor,
  currency,
});

const pays = (payer: string, payee: string, amountMinor: bigint, currency = 'CNY'): PaymentInstruction => ({
  payerPartnerId: payer,
  payeePartnerId: payee,
  amountMinor,
  currency,
});

/** Positions as `{ partnerId: amount }`, easier to read in a table than a list of records. */
const positionsOf = (netting: CurrencyNetting | undefined) =>
  Object.fromEntries(
    (netting?.positions ?? []).map((position) => [position.partnerId, position.amountMinor]),
  );

describe('netObligations', () => {
  it('nets two parties owing each other into one payment', () => {
    const [cny, ...others] = netObligations([owes('ptn_a', 'ptn_b', 100n), owes('ptn_b', 'ptn_a', 30n)]);
    expect(others).toEqual([]);
    expect(cny).toEqual({
      currency: 'CNY',
      gross: [owes('ptn_a', 'ptn_b', 100n), owes('ptn_b', 'ptn_a', 30n)],
      positions: [
        { partnerId: 'ptn_a', amountMinor: -70n, currency: 'CNY' },
        { partnerId: 'ptn_b', amountMinor: 70n, currency: 'CNY' },
      ],
      instructions: [pays('ptn_a', 'ptn_b', 70n)],
      grossTotalMinor: 130n,
      netTotalMinor: 70n,
      savedMinor: 60n,
      savedShare: { numerator: 60n, denominator: 130n },
      savedBasisPoints: 4_615n,
    });
  });

  it('nets a triangle of equal debts to nothing to pay', () => {
    const [cny] = netObligations([
      owes('ptn_a', 'ptn_b', 50n),
      owes('ptn_b', 'ptn_c', 50n),
      owes('ptn_c', 'ptn_a', 50n),
    ]);
    expect(positionsOf(cny)).toEqual({ ptn_a: 0n, ptn_b: 0n, ptn_c: 0n });
    expect(cny).toMatchObject({
      instructions: [],
      grossTotalMinor: 150n,
      netTotalMinor: 0n,
      savedBasisPoints: 10_000n,
    });
  });

  it('cancels two equal debts in opposite directions, leaving both parties square', () => {
    const [cny] = netObligations([
      owes('ptn_a', 'ptn_b', 100n),
      owes('ptn_b', 'ptn_a', 40n),
      owes('ptn_b', 'ptn_a', 60n),
    ]);
    expect(cny?.gross).toEqual([owes('ptn_a', 'ptn_b', 100n), owes('ptn_b', 'ptn_a', 100n)]);
    expect(positionsOf(cny)).toEqual({ ptn_a: 0n, ptn_b: 0n });
    expect(cny).toMatchObject({ instructions: [], netTotalMinor: 0n, savedMinor: 200n });
  });

  it('nets the alliance fees like any other party: the alliance only receives', () => {
    const [cny] = netObligations([
      owes('ptn_a', 'ptn_b', 1_000n),
      owes('ptn_a', 'alliance', 20n),
      owes('ptn_b', 'ptn_c', 500n),
      owes('ptn_b', 'alliance', 10n),
    ]);
    expect(positionsOf(cny)).toEqual({ alliance: 30n, ptn_a: -1_020n, ptn_b: 490n, ptn_c: 500n });
    expect(cny?.instructions).toEqual([
      pays('ptn_a', 'ptn_c', 500n),
      pays('ptn_a', 'ptn_b', 490n),
      pays('ptn_a', 'alliance', 30n),
    ]);
    expect(cny).toMatchObject({ grossTotalMinor: 1_530n, netTotalMinor: 1_020n, savedMinor: 510n });
  });

  it('nets each currency on its own, in currency order', () => {
    const results = netObligations([
      owes('ptn_b', 'ptn_a', 40n, 'USD'),
      owes('ptn_a', 'ptn_b', 100n, 'CNY'),
      owes('ptn_a', 'ptn_b', 25n, 'USD'),
    ]);
    expect(results.map((result) => result.currency)).toEqual(['CNY', 'USD']);
    expect(results.map((result) => result.instructions)).toEqual([
      [pays('ptn_a', 'ptn_b', 100n, 'CNY')],
      [pays('ptn_b', 'ptn_a', 15n, 'USD')],
    ]);
  });

  it('matches the largest payer with the largest payee, equal amounts by partner id', () => {
    const [cny] = netObligations([
      owes('ptn_a', 'ptn_x', 5n),
      owes('ptn_b', 'ptn_y', 30n),
      owes('ptn_d', 'ptn_z', 15n),
      owes('ptn_c', 'ptn_z', 15n),
    ]);
    // Payers b 30, c 15, d 15, a 5; payees y 30, z 30, x 5: b–y settle at once, then c before d.
    expect(cny?.instructions).toEqual([
      pays('ptn_b', 'ptn_y', 30n),
      pays('ptn_c', 'ptn_z', 15n),
      pays('ptn_d', 'ptn_z', 15n),
      pays('ptn_a', 'ptn_x', 5n),
    ]);
  });

  it("takes a payer's remainder in partner id order when it equals another payer", () => {
    const [cny] = netObligations([
      owes('ptn_a', 'ptn_x', 5n),
      owes('ptn_a', 'ptn_y', 5n),
      owes('ptn_b', 'ptn_z', 5n),
    ]);
    // a pays x first (x before y and z); a's remaining 5 equals b's 5, and a comes before b.
    expect(cny?.instructions).toEqual([
      pays('ptn_a', 'ptn_x', 5n),
      pays('ptn_a', 'ptn_y', 5n),
      pays('ptn_b', 'ptn_z', 5n),
    ]);
  });

  it('rounds the share saved down to a basis point', () => {
    // Gross 3, net 2: a third saved is 3,333.3… basis points.
    const [cny] = netObligations([owes('ptn_a', 'ptn_b', 2n), owes('ptn_b', 'ptn_c', 1n)]);
    expect(cny).toMatchObject({ netTotalMinor: 2n, savedShare: { numerator: 1n, denominator: 3n } });
    expect(cny?.savedBasisPoints).toBe(3_333n);
  });

  it('leaves out a party owing itself and a zero amount: neither moves money', () => {
    const results = netObligations([
      owes('ptn_a', 'ptn_a', 500n),
      owes('ptn_a', 'ptn_b', 0n),
      owes('ptn_c', 'ptn_d', 7n),
      owes('ptn_e', 'ptn_e', 9n, 'USD'),
    ]);
    expect(results).toHaveLength(1);
    expect(results[0]?.gross).toEqual([owes('ptn_c', 'ptn_d', 7n)]);
    expect(positionsOf(results[0])).toEqual({ ptn_c: -7n, ptn_d: 7n });
    expect(netObligations([])).toEqual([]);
  });

  it('refuses a negative amount as a bug upstream', () => {
    expect(() => netObligations([owes('ptn_a', 'ptn_b', -1n)])).toThrow(/invariant broken/);
  });

  it('nets amounts past a bigint column without losing a unit', () => {
    const [cny] = netObligations([owes('ptn_a', 'ptn_b', int8Max), owes('ptn_a', 'ptn_b', int8Max)]);
    expect(cny?.instructions).toEqual([pays('ptn_a', 'ptn_b', 2n * int8Max)]);
  });
});

describe('netGross', () => {
  it('adds rows of the same pair together, as partial sums from the database', () => {
    const rows = [owes('ptn_a', 'ptn_b', 60n), owes('ptn_b', 'ptn_a', 10n), owes('ptn_a', 'ptn_b', 40n)];
    expect(netGross(rows)).toEqual(netGross(sumGrossPairs(rows)));
    expect(netGross(rows)[0]?.instructions).toEqual([pays('ptn_a', 'ptn_b', 90n)]);
  });

  it('nets 1,000,000 obligations among 50 partners in 2 currencies, equal to netting their gross sums', () => {
    // Goal: the close can net a large cycle in memory. Method: a fixed pseudo-random set (mulberry32,
    // seeded, so the run repeats and every pair occurs), netted directly and through its pair sums.
    let state = 42;
    const next = (bound: number) => {
      state = (state + 0x6d2b79f5) | 0;
      let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
      mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
      return Math.floor((((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296) * bound);
    };
    const partners = Array.from({ length: 50 }, (_, index) => `ptn_${String(index).padStart(2, '0')}`);
    const obligations = Array.from({ length: 1_000_000 }, () =>
      owes(
        partners[next(50)] as string,
        next(20) === 0 ? 'alliance' : (partners[next(50)] as string),
        BigInt(1 + next(100_000)),
        next(2) === 0 ? 'CNY' : 'EUR',
      ),
    );
    const results = netObligations(obligations);
    expect(results.map((result) => result.currency)).toEqual(['CNY', 'EUR']);
    expect(results).toEqual(netGross(sumGrossPairs(obligations)));
    for (const result of results) expect(result.instructions.length).toBeLessThanOrEqual(50);
  });
});

// Properties: random obligation sets, checked against computations written here from the definitions.
/** In code-unit order, so that looping over them gives the pairs in the order of `gross`. */
const partnerIds = ['alliance', 'ptn_a', 'ptn_b', 'ptn_c', 'ptn_d', 'ptn_e', 'ptn_f'];
const amountArbitrary = fc.oneof(
  // Small amounts make equal positions, and so ties, common.
  fc.bigInt({ min: 0n, max: 5n }),
  fc.bigInt({ min: 1n, max: int8Max }),
);
const obligationArbitrary = fc.record({
  debtorPartnerId: fc.constantFrom(...partnerIds),
  creditorPartnerId: fc.constantFrom(...partnerIds),
  amountMinor: amountArbitrary,
  currency: fc.constantFrom('CNY', 'EUR', 'USD'),
});
const obligationsArbitrary = fc.array(obligationArbitrary, { maxLength: 60 });
const runs = { numRuns: 1_000 };

/** Each party's credits minus its debits, summed straight from the obligations. */
function bruteForcePositions(obligations: Obligation[], currency: string): Map<string, bigint> {
  const positions = new Map<string, bigint>();
  for (const party of partnerIds) {
    const mine = obligations.filter(
      (obligation) =>
        obligation.currency === currency &&
        obligation.amountMinor > 0n &&
        obligation.debtorPartnerId !== obligation.creditorPartnerId,
    );
    if (
      !mine.some(
        (obligation) => obligation.debtorPartnerId === party || obligation.creditorPartnerId === party,
      )
    )
      continue;
    const credits = mine
      .filter((obligation) => obligation.creditorPartnerId === party)
      .reduce((sum, obligation) => sum + obligation.amountMinor, 0n);
    const debits = mine
      .filter((obligation) => obligation.debtorPartnerId === party)
      .reduce((sum, obligation) => sum + obligation.amountMinor, 0n);
    positions.set(party, credits - debits);
  }
  return positions;
}

function currenciesOf(obligations: Obligation[]): string[] {
  const moving = obligations.filter(
    (obligation) =>
      obligation.amountMinor > 0n && obligation.debtorPartnerId !== obligation.creditorPartnerId,
  );
  return [...new Set(moving.map((obligation) => obligation.currency))].sort();
}

describe('netObligations on random obligation sets', () => {
  it('gives the gross sum of every ordered pair, and one result per currency that moves money', () => {
    fc.assert(
      fc.property(obligationsArbitrary, (obligations) => {
        const results = netObligations(obligations);
        expect(results.map((result) => result.currency)).toEqual(currenciesOf(obligations));
        for (const result of results) {
          const expected = [];
          for (const debtor of partnerIds) {
            for (const creditor of partnerIds) {
              if (debtor === creditor) continue;
              const amountMinor = obligations
                .filter(
                  (obligation) =>
                    obligation.currency === result.currency &&
                    obligation.debtorPartnerId === debtor &&
                    obligation.creditorPartnerId === creditor,
                )
                .reduce((sum, obligation) => sum + obligation.amountMinor, 0n);
              if (amountMinor > 0n) expected.push(owes(debtor, creditor, amountMinor, result.currency));
            }
          }
          expect(result.gross).toEqual(expected);
          expect(result.grossTotalMinor).toBe(expected.reduce((sum, pair) => sum + pair.amountMinor, 0n));
        }
      }),
      runs,
    );
  });

  it('gives each party its credits minus its debits, the positions summing to zero', () => {
    fc.assert(
      fc.property(obligationsArbitrary, (obligations) => {
        for (const result of netObligations(obligations)) {
          const expected = [...bruteForcePositions(obligations, result.currency)]
            .sort(([left], [right]) => (left < right ? -1 : 1))
            .map(([partnerId, amountMinor]) => ({ partnerId, amountMinor, currency: result.currency }));
          expect(result.positions).toEqual(expected);
          expect(result.positions.reduce((sum, position) => sum + position.amountMinor, 0n)).toBe(0n);
        }
      }),
      runs,
    );
  });

  it('gives positive payments that bring every party to zero, at most parties − 1 of them', () => {
    fc.assert(
      fc.property(obligationsArbitrary, (obligations) => {
        for (const result of netObligations(obligations)) {
          const remaining = bruteForcePositions(obligations, result.currency);
          const nonZero = [...remaining.values()].filter((amount) => amount !== 0n).length;
          for (const { payerPartnerId, payeePartnerId, amountMinor, currency } of result.instructions) {
            expect(currency).toBe(result.currency);
            expect(amountMinor).toBeGreaterThan(0n);
            remaining.set(payerPartnerId, (remaining.get(payerPartnerId) ?? 0n) + amountMinor);
            remaining.set(payeePartnerId, (remaining.get(payeePartnerId) ?? 0n) - amountMinor);
          }
          expect([...remaining.values()].every((amount) => amount === 0n)).toBe(true);
          expect(result.instructions.length).toBeLessThanOrEqual(Math.max(nonZero - 1, 0));
        }
      }),
      runs,
    );
  });

  it('never has a party both pay and receive', () => {
    fc.assert(
      fc.property(obligationsArbitrary, (obligations) => {
        for (const result of netObligations(obligations)) {
          const payers = new Set(result.instructions.map((instruction) => instruction.payerPartnerId));
          const payees = new Set(result.instructions.map((instruction) => instruction.payeePartnerId));
          expect([...payers].filter((party) => payees.has(party))).toEqual([]);
        }
      }),
      runs,
    );
  });

  it('reports the net total and the share saved exactly, the basis points rounded down', () => {
    fc.assert(
      fc.property(obligationsArbitrary, (obligations) => {
        for (const result of netObligations(obligations)) {
          const positive = [...bruteForcePositions(obligations, result.currency).values()].filter(
            (a) => a > 0n,
          );
          const netTotalMinor = positive.reduce((sum, amount) => sum + amount, 0n);
          const paidMinor = result.instructions.reduce(
            (sum, instruction) => sum + instruction.amountMinor,
            0n,
          );
          expect(result.netTotalMinor).toBe(netTotalMinor);
          expect(paidMinor).toBe(netTotalMinor);
          expect(result.savedMinor).toBe(result.grossTotalMinor - netTotalMinor);
          expect(result.savedShare).toEqual({
            numerator: result.savedMinor,
            denominator: result.grossTotalMinor,
          });
          // floor: bp × gross ≤ saved × 10,000 < (bp + 1) × gross.
          const scaled = result.savedMinor * 10_000n;
          expect(result.savedBasisPoints * result.grossTotalMinor).toBeLessThanOrEqual(scaled);
          expect((result.savedBasisPoints + 1n) * result.grossTotalMinor).toBeGreaterThan(scaled);
        }
      }),
      runs,
    );
  });

  it('gives the same result for the obligations in any order, and for their gross sums', () => {
    const shuffled = obligationsArbitrary.chain((obligations) =>
      fc.tuple(
        fc.constant(obligations),
        fc.shuffledSubarray(obligations, { minLength: obligations.length, maxLength: obligations.length }),
      ),
    );
    fc.assert(
      fc.property(shuffled, ([obligations, reordered]) => {
        const results = netObligations(obligations);
        expect(netObligations(reordered)).toEqual(results);
        expect(netGross(sumGrossPairs(reordered))).toEqual(results);
      }),
      runs,
    );
  });

  it('nets each currency as if it were alone', () => {
    fc.assert(
      fc.property(obligationsArbitrary, (obligations) => {
        for (const result of netObligations(obligations)) {
          const alone = netObligations(
            obligations.filter((obligation) => obligation.currency === result.currency),
          );
          expect(alone).toEqual([result]);
        }
      }),
      runs,
    );
  });
});
