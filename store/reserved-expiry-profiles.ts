// What a catalog order's or a points payment's reservation was made of, as the member's programme
// reported it: kept once when the reserve is answered (a repeat of the answer keeps the first), read
// when points are given back, so that they come back no fresher than they left.
import type { Kysely } from 'kysely';
import type { ExpiryPortion } from '../domain/point-lots.ts';
import type { Database } from './database.ts';
import type { StoredExpiryPortion } from './tables/point-lots.ts';

export function storedProfile(profile: readonly ExpiryPortion[]): string {
  return JSON.stringify(
    profile.map((portion) => ({
      points: String(portion.points),
      expiresAt: portion.expiresAt?.toISOString() ?? null,
    })),
  );
}

export function profileOfStored(stored: readonly StoredExpiryPortion[]): ExpiryPortion[] {
  return stored.map((portion) => ({
    points: BigInt(portion.points),
    expiresAt: portion.expiresAt === null ? null : new Date(portion.expiresAt),
  }));
}

/** Keeps the profile a reserve answered with, unless one is kept already. */
export async function keepReservedExpiryProfile(
  db: Kysely<Database>,
  of: { table: 'catalog_orders' | 'points_payments'; id: string },
  profile: readonly ExpiryPortion[] | undefined,
): Promise<void> {
  if (!profile || profile.length === 0) return;
  await db
    .updateTable(of.table)
    .set({ reserved_expiry_profile: storedProfile(profile) })
    .where('id', '=', of.id)
    .where('reserved_expiry_profile', 'is', null)
    .execute();
}

/** The kept profile; undefined when the programme reported none (or the answer was only asked about). */
export function reservedExpiryProfile(row: {
  reserved_expiry_profile: StoredExpiryPortion[] | null;
}): ExpiryPortion[] | undefined {
  return row.reserved_expiry_profile ? profileOfStored(row.reserved_expiry_profile) : undefined;
}
