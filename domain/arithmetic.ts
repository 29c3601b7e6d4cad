// Integer arithmetic for points and money. Every division on a money path goes through one of
// these, so that the rounding of each amount is named where it is computed.

/** Stops the operation loudly: a broken invariant is a bug, never an operating error. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`invariant broken: ${message}`);
}

export function divideFloor(numerator: bigint, denominator: bigint): bigint {
  assert(denominator > 0n, 'divide by a positive denominator');
  assert(numerator >= 0n, 'divide a non-negative amount');
  return numerator / denominator;
}

export function divideCeil(numerator: bigint, denominator: bigint): bigint {
  assert(denominator > 0n, 'divide by a positive denominator');
  assert(numerator >= 0n, 'divide a non-negative amount');
  return (numerator + denominator - 1n) / denominator;
}

/** Rounds to the nearest whole unit, halves up: used for money owed between partners. */
export function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  assert(denominator > 0n, 'divide by a positive denominator');
  assert(numerator >= 0n, 'divide a non-negative amount');
  return (2n * numerator + denominator) / (2n * denominator);
}

export function minBigint(...values: bigint[]): bigint {
  // biome-ignore lint/complexity/useMathMinMax: Math.min does not take bigint.
  return values.reduce((smallest, value) => (value < smallest ? value : smallest));
}

/** A ratio of two positive integers: `numerator / denominator`, never a decimal. */
export interface Ratio {
  numerator: bigint;
  denominator: bigint;
}

export function compareRatios(left: Ratio, right: Ratio): -1 | 0 | 1 {
  const a = left.numerator * right.denominator;
  const b = right.numerator * left.denominator;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function multiplyRatios(left: Ratio, right: Ratio): Ratio {
  return { numerator: left.numerator * right.numerator, denominator: left.denominator * right.denominator };
}

export const basisPointsPerWhole = 10_000n;

/** The largest amount a PostgreSQL bigint holds: every stored amount (points or minor units) fits it. */
export const int8Max = 9_223_372_036_854_775_807n;
