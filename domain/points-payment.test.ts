import { describe, expect, it } from 'vitest';
import { ProblemError } from './errors.ts';
import { cashValue, pointsFor, priceAmount, refundFigures } from './points-payment.ts';

const cents = { amountMinor: 1n, perPoints: 100n };
const odd = { amountMinor: 7n, perPoints: 3n };

describe('points as cash', () => {
  it('values points half up and asks the fewest points worth an amount', () => {
    expect(cashValue(cents, 150n)).toBe(2n);
    expect(cashValue(cents, 149n)).toBe(1n);
    expect(pointsFor(cents, 2n)).toBe(150n);
    for (const amount of [1n, 2n, 5n, 99n, 1000n]) {
      const points = pointsFor(odd, amount);
      expect(cashValue(odd, points)).toBeGreaterThanOrEqual(amount);
      expect(points === 1n || cashValue(odd, points - 1n) < amount).toBe(true);
    }
    expect(priceAmount(cents, { amountMinor: 500n })).toEqual({ points: 49_950n, amountMinor: 500n });
  });

  it('finds the fewest points as a search from one point up would, for every small price', () => {
    for (let amountMinor = 1n; amountMinor <= 12n; amountMinor += 1n) {
      for (let perPoints = 1n; perPoints <= 12n; perPoints += 1n) {
        const price = { amountMinor, perPoints };
        for (let amount = 1n; amount <= 30n; amount += 1n) {
          let fewest = 1n;
          while (cashValue(price, fewest) < amount) fewest += 1n;
          expect(pointsFor(price, amount)).toBe(fewest);
        }
      }
    }
  });

  it('prices a point worth a tiny fraction of a cent at once', () => {
    // 10¹² points to the cent: a search point by point would not end while the test runs.
    const dust = { amountMinor: 1n, perPoints: 10n ** 12n };
    expect(pointsFor(dust, 1n)).toBe(5n * 10n ** 11n);
    expect(cashValue(dust, 5n * 10n ** 11n)).toBe(1n);
    expect(cashValue(dust, 5n * 10n ** 11n - 1n)).toBe(0n);
    expect(pointsFor(dust, 3n)).toBe(25n * 10n ** 11n);
  });

  it('refunds in parts add up to the capture exactly', () => {
    const captured = { capturedPoints: 10n, capturedAmountMinor: cashValue(odd, 10n) };
    let refundedPoints = 0n;
    let refundedAmountMinor = 0n;
    for (const points of [3n, 3n, 4n]) {
      const refund = refundFigures({ price: odd, ...captured, refundedPoints, refundedAmountMinor, points });
      refundedPoints += refund.points;
      refundedAmountMinor += refund.amountMinor;
    }
    expect(refundedAmountMinor).toBe(captured.capturedAmountMinor);
    expect(() =>
      refundFigures({ price: odd, ...captured, refundedPoints, refundedAmountMinor, points: 1n }),
    ).toThrow(/refund_exceeds_capture/);
  });

  it('refuses a payment, a part capture or a part refund worth no money, naming the field', () => {
    const refusal = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        if (error instanceof ProblemError) return { code: error.code, fields: error.fieldErrors };
        throw error;
      }
      return null;
    };
    // 49 points at a cent per 100 are worth 0.49 of a cent: nothing, rounded.
    expect(refusal(() => priceAmount(cents, { points: 49n }))).toEqual({
      code: 'payment_too_small',
      fields: [{ field: 'points', message: expect.any(String) }],
    });
    expect(priceAmount(cents, { points: 50n })).toEqual({ points: 50n, amountMinor: 1n });
    // A part refund worth nothing would give the member points back and the owner no money.
    const capture = {
      capturedPoints: 100n,
      capturedAmountMinor: 1n,
      refundedPoints: 0n,
      refundedAmountMinor: 0n,
    };
    expect(refusal(() => refundFigures({ price: cents, ...capture, points: 49n }))).toEqual({
      code: 'payment_too_small',
      fields: [{ field: 'points', message: expect.any(String) }],
    });
    // Asked in money, the points may be worth more than the money left: the field is amountMinor.
    const spent = {
      capturedPoints: 150n,
      capturedAmountMinor: 2n,
      refundedPoints: 100n,
      refundedAmountMinor: 2n,
    };
    expect(
      refusal(() => refundFigures({ price: cents, ...spent, points: 49n, field: 'amountMinor' }))?.fields,
    ).toEqual([{ field: 'amountMinor', message: expect.any(String) }]);
    // The refund of the rest gives the member back their points even when the money is all back.
    expect(refundFigures({ price: cents, ...spent, points: 50n })).toEqual({ points: 50n, amountMinor: 0n });
  });
});
