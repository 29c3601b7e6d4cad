// The expiry a transfer's credit carries. Points about to expire at the source are not made fresh at
// the target (they could be laundered that way): the credit expires no later than the points that
// paid for it, scaled to the points credited. An agreement may grant a minimum remaining life
// instead, so a member is not handed points that die days after arriving; the target programme's own
// rule still caps each portion when it makes the lots (creditLots).
import { assert } from './arithmetic.ts';
import { type ExpiryPortion, type ExpiryProfile, normalizeProfile, scaleProfile } from './point-lots.ts';

const dayMs = 86_400_000;

/**
 * The instant a credit's points live until at least, counted from the transfer's creation (not the
 * credit's own time), so every retry of the credit carries the same profile.
 */
export function lifeFloor(
  transferCreatedAt: Date,
  minRemainingLifeDays: number | null | undefined,
): Date | null {
  if (minRemainingLifeDays === null || minRemainingLifeDays === undefined) return null;
  assert(Number.isInteger(minRemainingLifeDays) && minRemainingLifeDays > 0, 'a positive number of days');
  return new Date(transferCreatedAt.getTime() + minRemainingLifeDays * dayMs);
}

/** The profile a credit of `creditPoints` carries: what paid, scaled, each portion lifted to the floor. */
export function creditProfile(
  paidWith: readonly ExpiryPortion[],
  creditPoints: bigint,
  floor: Date | null,
): ExpiryProfile {
  const scaled = scaleProfile(paidWith, creditPoints);
  if (floor === null) return scaled;
  return normalizeProfile(
    scaled.map((portion) => ({
      points: portion.points,
      expiresAt: portion.expiresAt !== null && portion.expiresAt < floor ? floor : portion.expiresAt,
    })),
  );
}
