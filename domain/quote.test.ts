import { describe, expect, it } from 'vitest';
import { int8Max } from './arithmetic.ts';
import { ProblemError } from './errors.ts';
import { computeQuote, type QuoteInput } from './quote.ts';
import type { RateTerms } from './rate-terms.ts';

const terms: RateTerms = {
  sourceProgramId: 'prg_coffee',
  targetProgramId: 'prg_air',
  fromPoints: 10n,
  toPoints: 7n,
  rounding: 'floor',
  feeBasisPoints: 200n,
  feePayer: 'member',
  reversalShortfallPayer: 'source_partner',
  sourcePointsMin: 100n,
  sourcePointsMax: 100_000n,
  memberDailyCapSourcePoints: 50_000n,
  settlementAmountMinor: 1n,
  settlementPerTargetPoints: 1n,
  settlementCurrency: 'CNY',
  tierRatios: [{ tier: 'gold', fromPoints: 10n, toPoints: 8n }],
  campaigns: [
    {
      name: 'Double miles day',
      startsAt: new Date('2026-12-01T00:00:00Z'),
      endsAt: new Date('2026-12-02T00:00:00Z'),
      multiplier: { numerator: 2n, denominator: 1n },
    },
  ],
  effectiveFrom: new Date('2026-01-01T00:00:00Z'),
  effectiveUntil: null,
};

const input = (overrides: Partial<QuoteInput> = {}): QuoteInput => ({
  terms,
  memberTier: null,
  amount: { sourcePoints: 1_000n },
  at: new Date('2026-11-23T10:00:00Z'),
  debitedTodaySourcePoints: 0n,
  coolingOffCapSourcePoints: null,
  ...overrides,
});

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ProblemError) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('computeQuote', () => {
  it('converts 1,000 coffee points into 700 miles, the member paying a 2% fee in points', () => {
    expect(computeQuote(input())).toMatchObject({
      convertedSourcePoints: 1_000n,
      feePoints: 20n,
      debitPoints: 1_020n,
      creditPoints: 700n,
      creditRemainder: { numerator: 0n, denominator: 10n },
      settlementAmountMinor: 700n,
      feeAmountMinor: 0n,
      modifiers: [],
    });
  });

  it('credits the floor and reports the remainder', () => {
    const quote = computeQuote(input({ amount: { sourcePoints: 1_003n } }));
    expect(quote.creditPoints).toBe(702n);
    expect(quote.creditRemainder).toEqual({ numerator: 1n, denominator: 10n });
  });

  it('finds the smallest debit for a wanted credit', () => {
    const quote = computeQuote(input({ amount: { targetPoints: 701n } }));
    expect(quote.convertedSourcePoints).toBe(1_002n);
    expect(quote.creditPoints).toBe(701n);
  });

  it('charges the source partner in money when it pays the fee', () => {
    const quote = computeQuote(
      input({
        terms: {
          ...terms,
          feePayer: 'source_partner',
          settlementAmountMinor: 3n,
          settlementPerTargetPoints: 2n,
        },
      }),
    );
    expect(quote).toMatchObject({
      feePoints: 0n,
      debitPoints: 1_000n,
      settlementAmountMinor: 1_050n,
      feeAmountMinor: 21n,
    });
  });

  it('applies a better tier ratio and a running campaign, and says so', () => {
    const quote = computeQuote(input({ memberTier: 'gold', at: new Date('2026-12-01T12:00:00Z') }));
    expect(quote.creditPoints).toBe(1_600n);
    expect(quote.modifiers.map((modifier) => modifier.kind)).toEqual(['tier', 'campaign']);
  });

  it('ignores a tier ratio worse than the base one', () => {
    const worse = { ...terms, tierRatios: [{ tier: 'basic', fromPoints: 10n, toPoints: 5n }] };
    expect(computeQuote(input({ terms: worse, memberTier: 'basic' })).creditPoints).toBe(700n);
  });

  it.each([
    ['an amount below the minimum', input({ amount: { sourcePoints: 99n } }), 'amount_below_minimum'],
    [
      'an amount that credits nothing',
      input({ terms: { ...terms, sourcePointsMin: 1n }, amount: { sourcePoints: 1n } }),
      'amount_below_minimum',
    ],
    ['an amount above the maximum', input({ amount: { sourcePoints: 100_001n } }), 'amount_above_maximum'],
    ['the daily cap', input({ debitedTodaySourcePoints: 49_000n }), 'daily_cap_exceeded'],
    ['a link in cooling-off', input({ coolingOffCapSourcePoints: 500n }), 'link_cooling_off'],
    [
      'an agreement not yet in force',
      input({ at: new Date('2025-12-31T23:59:59Z') }),
      'agreement_not_in_force',
    ],
    [
      'an agreement past its end',
      input({ terms: { ...terms, effectiveUntil: new Date('2026-06-01T00:00:00Z') } }),
      'agreement_not_in_force',
    ],
  ])('refuses %s', (_, quoteInput, code) => {
    expect(refusal(() => computeQuote(quoteInput))).toBe(code);
  });

  it('accepts exactly the daily cap', () => {
    expect(refusal(() => computeQuote(input({ debitedTodaySourcePoints: 48_980n })))).toBe('accepted');
  });
});

describe('amounts a ledger cannot hold', () => {
  it('refuses a quote whose credit would pass a bigint, before anything is written', () => {
    const generous: RateTerms = {
      ...terms,
      fromPoints: 1n,
      toPoints: 10n,
      feeBasisPoints: 0n,
      sourcePointsMax: int8Max,
      memberDailyCapSourcePoints: int8Max,
      tierRatios: [],
      campaigns: [],
    };
    const amount = { sourcePoints: int8Max / 2n };
    expect(refusal(() => computeQuote(input({ terms: generous, amount })))).toBe('amount_out_of_range');
    expect(refusal(() => computeQuote(input({ terms: generous, amount: { sourcePoints: 1_000n } })))).toBe(
      'accepted',
    );
  });
});
