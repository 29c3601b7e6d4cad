import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accrue, type EarnTerms, planRefund, refundResult } from './accrual.ts';
import { ProblemError } from './errors.ts';

// 1 mile per 10.00 CNY; gold members earn half as much again; the merchant pays 0.03 CNY a mile.
const terms: EarnTerms = {
  merchantPartnerId: 'ptn_cinema',
  programId: 'prg_airline',
  purchaseCurrency: 'CNY',
  earnPoints: 1n,
  perAmountMinor: 1_000n,
  tierBonuses: [{ tier: 'gold', multiplier: { numerator: 3n, denominator: 2n } }],
  priceAmountMinor: 3n,
  pricePerPoints: 1n,
  priceCurrency: 'CNY',
  effectiveFrom: new Date('2026-01-01T00:00:00Z'),
  effectiveUntil: null,
};

function refusalCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ProblemError) return error.code;
    throw error;
  }
  return undefined;
}

describe('accrue', () => {
  it('earns the floor of amount × rate, and the merchant owes points × price', () => {
    expect(
      accrue({ terms, memberTier: null, purchaseAmountMinor: 12_999n, purchaseCurrency: 'CNY' }),
    ).toEqual({
      points: 12n,
      agreedPoints: 12n,
      amountOwedMinor: 36n,
      currency: 'CNY',
      tierBonus: null,
      modifiers: [],
    });
  });

  it('stacks running campaigns on the tier bonus, to the cap, and bills the merchant the agreed points', () => {
    const campaign = (id: string, numerator: bigint, denominator: bigint) => ({
      id,
      programId: 'prg_airline',
      name: id,
      appliesTo: 'accruals' as const,
      sourceProgramId: null,
      tier: null,
      startsAt: new Date('2026-11-01T00:00:00Z'),
      endsAt: new Date('2026-12-01T00:00:00Z'),
      multiplier: { numerator, denominator },
    });
    // 100.00 CNY, gold: 10 × 3/2 = 15 agreed miles; a double-miles day stacks to 3, held to the cap 2.
    const figures = accrue({
      terms,
      memberTier: 'gold',
      purchaseAmountMinor: 100_00n,
      purchaseCurrency: 'CNY',
      campaigns: { running: [campaign('cmp_double', 2n, 1n)], cap: { numerator: 2n, denominator: 1n } },
    });
    expect(figures).toMatchObject({ points: 20n, agreedPoints: 15n, amountOwedMinor: 45n });
    expect(figures.modifiers.map((modifier) => modifier.kind)).toEqual([
      'tier_bonus',
      'programme_campaign',
      'campaign_cap',
    ]);
    // Under a higher cap both campaigns apply in full: 10 × 3/2 × 2 × 4/3 = 40.
    const uncapped = accrue({
      terms,
      memberTier: 'gold',
      purchaseAmountMinor: 100_00n,
      purchaseCurrency: 'CNY',
      campaigns: {
        running: [campaign('cmp_double', 2n, 1n), campaign('cmp_third', 4n, 3n)],
        cap: { numerator: 5n, denominator: 1n },
      },
    });
    expect(uncapped).toMatchObject({ points: 40n, agreedPoints: 15n, amountOwedMinor: 45n });
    expect(uncapped.modifiers.map((modifier) => modifier.kind)).toEqual([
      'tier_bonus',
      'programme_campaign',
      'programme_campaign',
    ]);
  });

  it('applies the tier bonus to the exact figure before rounding', () => {
    // 12.999 × 1.5 = 19.4985 → 19 (bonus on the rounded 12 would give 18).
    const figures = accrue({
      terms,
      memberTier: 'gold',
      purchaseAmountMinor: 12_999n,
      purchaseCurrency: 'CNY',
    });
    expect(figures.points).toBe(19n);
    expect(figures.tierBonus?.tier).toBe('gold');
  });

  it('rounds money owed half up', () => {
    const halfCent = { ...terms, priceAmountMinor: 1n, pricePerPoints: 2n };
    expect(
      accrue({ terms: halfCent, memberTier: null, purchaseAmountMinor: 3_000n, purchaseCurrency: 'CNY' })
        .amountOwedMinor,
    ).toBe(2n);
  });

  it('refuses another currency and a purchase that earns nothing', () => {
    expect(
      refusalCode(() =>
        accrue({ terms, memberTier: null, purchaseAmountMinor: 5_000n, purchaseCurrency: 'EUR' }),
      ),
    ).toBe('currency_not_agreed');
    expect(
      refusalCode(() =>
        accrue({ terms, memberTier: null, purchaseAmountMinor: 999n, purchaseCurrency: 'CNY' }),
      ),
    ).toBe('accrual_too_small');
  });
});

describe('planRefund', () => {
  const none = { refundAmountMinor: 0n, points: 0n };

  it('refunds everything left when no amount is given', () => {
    expect(
      planRefund({ purchaseAmountMinor: 10_000n, points: 7n, earlier: none, refundAmountMinor: null }),
    ).toEqual({ refundAmountMinor: 10_000n, points: 7n });
  });

  it('refuses a refund past what is left', () => {
    expect(
      refusalCode(() =>
        planRefund({
          purchaseAmountMinor: 10_000n,
          points: 7n,
          earlier: { refundAmountMinor: 6_000n, points: 4n },
          refundAmountMinor: 4_001n,
        }),
      ),
    ).toBe('refund_exceeds_purchase');
  });

  it('adds up to exactly the accrual however the purchase is refunded in parts', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.bigInt({ min: 1n, max: 10n ** 9n }),
        fc.array(fc.bigInt({ min: 1n, max: 10n ** 12n }), { maxLength: 8 }),
        (purchase, points, parts) => {
          let earlier = { refundAmountMinor: 0n, points: 0n };
          for (const part of parts) {
            if (earlier.refundAmountMinor + part >= purchase) break;
            const plan = planRefund({
              purchaseAmountMinor: purchase,
              points,
              earlier,
              refundAmountMinor: part,
            });
            expect(plan.points).toBeGreaterThanOrEqual(0n);
            earlier = {
              refundAmountMinor: earlier.refundAmountMinor + plan.refundAmountMinor,
              points: earlier.points + plan.points,
            };
            expect(earlier.points).toBeLessThanOrEqual(points);
          }
          const rest = planRefund({
            purchaseAmountMinor: purchase,
            points,
            earlier,
            refundAmountMinor: null,
          });
          expect(earlier.refundAmountMinor + rest.refundAmountMinor).toBe(purchase);
          expect(earlier.points + rest.points).toBe(points);
        },
      ),
    );
  });
});

describe('refundResult', () => {
  it('gives the merchant back the price of what was taken; the shortfall stays its cost', () => {
    expect(
      refundResult({
        accrualPoints: 100n,
        amountOwedMinor: 300n,
        askedPoints: 100n,
        takenPoints: 40n,
        earlierTakenPoints: 0n,
        earlierReversedAmountMinor: 0n,
      }),
    ).toEqual({ takenPoints: 40n, reversedAmountMinor: 120n, shortfallPoints: 60n });
  });

  it('gives back exactly what was owed once every point came back, in any parts', () => {
    const first = refundResult({
      accrualPoints: 3n,
      amountOwedMinor: 10n,
      askedPoints: 1n,
      takenPoints: 1n,
      earlierTakenPoints: 0n,
      earlierReversedAmountMinor: 0n,
    });
    const second = refundResult({
      accrualPoints: 3n,
      amountOwedMinor: 10n,
      askedPoints: 2n,
      takenPoints: 2n,
      earlierTakenPoints: 1n,
      earlierReversedAmountMinor: first.reversedAmountMinor,
    });
    expect(first.reversedAmountMinor + second.reversedAmountMinor).toBe(10n);
  });

  it('never counts more taken than asked', () => {
    expect(
      refundResult({
        accrualPoints: 10n,
        amountOwedMinor: 10n,
        askedPoints: 4n,
        takenPoints: 9n,
        earlierTakenPoints: 0n,
        earlierReversedAmountMinor: 0n,
      }).takenPoints,
    ).toBe(4n);
  });
});
