// Stored answers to POST requests, keyed by (caller, Idempotency-Key). A key is claimed before the
// handler runs and completed with its response afterwards, so a concurrent duplicate waits its turn
// instead of running twice.
import type { Kysely } from 'kysely';
import type { Database, IdempotencyRecord } from './database.ts';

export type ClaimResult = { outcome: 'claimed' } | { outcome: 'existing'; record: IdempotencyRecord };

/**
 * Claims the key for this request. A claim whose lock expired (its process died mid-request) is
 * taken over, so a key never stays stuck.
 */
export async function claimIdempotencyKey(
  db: Kysely<Database>,
  input: { principal: string; key: string; requestHash: string; lockSeconds: number },
): Promise<ClaimResult> {
  const lockedUntil = new Date(Date.now() + input.lockSeconds * 1000);
  const inserted = await db
    .insertInto('idempotency_records')
    .values({
      principal: input.principal,
      key: input.key,
      request_hash: input.requestHash,
      status: 'in_progress',
      locked_until: lockedUntil,
    })
    .onConflict((conflict) => conflict.columns(['principal', 'key']).doNothing())
    .executeTakeFirst();
  if (inserted.numInsertedOrUpdatedRows === 1n) return { outcome: 'claimed' };

  const takenOver = await db
    .updateTable('idempotency_records')
    .set({ locked_until: lockedUntil })
    .where('principal', '=', input.principal)
    .where('key', '=', input.key)
    .where('request_hash', '=', input.requestHash)
    .where('status', '=', 'in_progress')
    .where('locked_until', '<', new Date())
    .executeTakeFirst();
  if (takenOver.numUpdatedRows === 1n) return { outcome: 'claimed' };

  const record = await db
    .selectFrom('idempotency_records')
    .selectAll()
    .where('principal', '=', input.principal)
    .where('key', '=', input.key)
    .executeTakeFirstOrThrow();
  return { outcome: 'existing', record };
}

export async function completeIdempotencyKey(
  db: Kysely<Database>,
  input: { principal: string; key: string; status: number; contentType: string | null; body: string },
): Promise<void> {
  await db
    .updateTable('idempotency_records')
    .set({
      status: 'completed',
      response_status: input.status,
      response_content_type: input.contentType,
      response_body: input.body,
    })
    .where('principal', '=', input.principal)
    .where('key', '=', input.key)
    .execute();
}

/** Gives the key back when the request failed on our side, so that a retry runs it again. */
export async function releaseIdempotencyKey(
  db: Kysely<Database>,
  principal: string,
  key: string,
): Promise<void> {
  await db
    .deleteFrom('idempotency_records')
    .where('principal', '=', principal)
    .where('key', '=', key)
    .where('status', '=', 'in_progress')
    .execute();
}

/** Forgets completed answers older than the retention; a key reused after that runs anew. */
export async function deleteOldIdempotencyRecords(db: Kysely<Database>, olderThan: Date): Promise<bigint> {
  const result = await db
    .deleteFrom('idempotency_records')
    .where('created_at', '<', olderThan)
    .where('status', '=', 'completed')
    .executeTakeFirst();
  return result.numDeletedRows;
}
