// Signed-request ids (jti) seen so far. A jti is kept until the last instant its token is accepted
// (its exp plus the clock skew tolerated, signing/request-verifier.ts); after that the token's own
// expiry refuses it, so the row can go.
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.ts';

/** Records the jti; false when it was already recorded, which means a replay. */
export async function recordNonce(
  db: Kysely<Database>,
  issuer: string,
  jti: string,
  expiresAt: Date,
): Promise<boolean> {
  const result = await db
    .insertInto('request_nonces')
    .values({ issuer, jti, expires_at: expiresAt })
    .onConflict((conflict) => conflict.columns(['issuer', 'jti']).doNothing())
    .executeTakeFirst();
  return result.numInsertedOrUpdatedRows === 1n;
}

export async function deleteExpiredNonces(db: Kysely<Database>, batchSizeMax = 10_000): Promise<bigint> {
  const result = await sql`
    delete from request_nonces where ctid in (
      select ctid from request_nonces where expires_at < now() limit ${batchSizeMax}
    )`.execute(db);
  return result.numAffectedRows ?? 0n;
}
