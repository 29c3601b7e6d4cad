// An exposure cap: the most a partner may owe, net, in obligations not yet settled (plus what its
// running transfers will add). A transfer that would take its source partner past the cap is
// refused when it is created, before any point moves.
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
    `Partner ${input.partnerId} may owe at most ${input.capMinor} ${input.currency} minor units before settling; ${left > 0n ? left : 0n} are left and this transfer needs ${input.addedMinor}.`,
  );
}
