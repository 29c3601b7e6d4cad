// What a transfer's reservation was made of, as its source reported it: written once when the
// reserve is answered (a repeat of the answer writes nothing), read when the target is credited.
import type { Kysely } from 'kysely';
import type { ExpiryPortion } from '../domain/point-lots.ts';
import type { Database } from './database.ts';
import { profileOfStored, storedProfile } from './reserved-expiry-profiles.ts';

export async function saveTransferExpiryProfile(
  db: Kysely<Database>,
  transferId: string,
  profile: readonly ExpiryPortion[],
): Promise<void> {
  await db
    .insertInto('transfer_expiry_profiles')
    .values({
      transfer_id: transferId,
      profile: storedProfile(profile),
      reported_at: new Date(),
    })
    .onConflict((conflict) => conflict.column('transfer_id').doNothing())
    .execute();
}

/** Undefined when the source reported none (a system without expiries, or an answer only asked about). */
export async function findTransferExpiryProfile(
  db: Kysely<Database>,
  transferId: string,
): Promise<ExpiryPortion[] | undefined> {
  const row = await db
    .selectFrom('transfer_expiry_profiles')
    .select('profile')
    .where('transfer_id', '=', transferId)
    .executeTakeFirst();
  return row ? profileOfStored(row.profile) : undefined;
}

/** The minimum remaining life (days) the transfer's agreement version grants its credit; null: none. */
export async function findTransferMinRemainingLife(
  db: Kysely<Database>,
  transferId: string,
): Promise<number | null> {
  const row = await db
    .selectFrom('transfers')
    .innerJoin('quotes', 'quotes.id', 'transfers.quote_id')
    .innerJoin('rate_agreement_versions as versions', (join) =>
      join
        .onRef('versions.agreement_id', '=', 'quotes.agreement_id')
        .onRef('versions.version', '=', 'quotes.agreement_version'),
    )
    .select('versions.min_remaining_life_days')
    .where('transfers.id', '=', transferId)
    .executeTakeFirst();
  return row?.min_remaining_life_days ?? null;
}
