import { describe, expect, it } from 'vitest';
import { compareRatios, divideCeil, divideFloor, divideHalfUp, multiplyRatios } from './arithmetic.ts';

describe('integer division', () => {
  it.each([
    [7n, 2n, 3n, 4n, 4n],
    [6n, 2n, 3n, 3n, 3n],
    [5n, 10n, 0n, 1n, 1n],
    [4n, 10n, 0n, 1n, 0n],
    [0n, 3n, 0n, 0n, 0n],
    [10n ** 30n + 1n, 2n, 5n * 10n ** 29n, 5n * 10n ** 29n + 1n, 5n * 10n ** 29n + 1n],
  ])('%i / %i: floor %i, ceil %i, half up %i', (numerator, denominator, floor, ceil, halfUp) => {
    expect(divideFloor(numerator, denominator)).toBe(floor);
    expect(divideCeil(numerator, denominator)).toBe(ceil);
    expect(divideHalfUp(numerator, denominator)).toBe(halfUp);
  });

  it('refuses a zero denominator and a negative amount', () => {
    expect(() => divideFloor(1n, 0n)).toThrow(/invariant/);
    expect(() => divideCeil(-1n, 2n)).toThrow(/invariant/);
  });
});

describe('ratios', () => {
  it('compares exactly, without floating point', () => {
    const third = { numerator: 1n, denominator: 3n };
    const almostThird = { numerator: 333_333_333_333_333n, denominator: 1_000_000_000_000_000n };
    expect(compareRatios(third, almostThird)).toBe(1);
    expect(
      compareRatios(multiplyRatios(third, { numerator: 3n, denominator: 1n }), {
        numerator: 1n,
        denominator: 1n,
      }),
    ).toBe(0);
  });
});
