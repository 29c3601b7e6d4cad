import { describe, expect, it } from 'vitest';
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
});
