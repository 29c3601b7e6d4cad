// An exposure cap: the most a partner may owe, net, in obligations not yet settled (plus what its
// running transfers, catalog orders, authorized points payments and pending accruals will add). An
// operation that would take the partner past the cap is refused when it is made, before any point
// moves.
import { ProblemError } from './errors.ts';

export function requireWithinExposureCap(input: {
  partnerId: string;
  currency: string;
  exposureMinor: bigint;
  addedMinor: bigint;
  capMinor: bigint;
}): void {
  if (input.exposureMinor + input.addedMinor <= input.capMinor) return;
  const left = input.capMinor - input.exposureMinor;
  throw new ProblemError(
    'exposure_cap_exceeded',
    `Partner ${input.partnerId} may owe at most ${input.capMinor} ${input.currency} minor units before settling; ${left > 0n ? left : 0n} are left and this needs ${input.addedMinor}.`,
  );
}
