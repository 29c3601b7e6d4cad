// Stored answers to POST requests, keyed by (caller, Idempotency-Key). A key is claimed before the
// handler runs and completed with its response afterwards, so a concurrent duplicate waits its turn
// instead of running twice. The claim is a lease that the running request keeps renewing: a key
// whose process died is free again once the lease runs out (seconds), not after a long lock.
import { type Kysely, type QueryCreator, type RawBuilder, sql, type Transaction } from 'kysely';
import type { ProblemError } from '../domain/errors.ts';
import { asyncCommit } from './async-commit.ts';
import type { Database, IdempotencyRecord } from './database.ts';

export type ClaimResult =
  /** effectId: what an earlier run of this key already created (it died before answering). */
  | { outcome: 'claimed'; effectId: string | null }
  | { outcome: 'existing'; record: IdempotencyRecord }
  | { outcome: 'replayed' }
  /** The request was refused by the claim statement itself (`refuseWhen`): no key was claimed. */
  | { outcome: 'refused'; refusal: Record<string, unknown> };

/** A refusal a claim may answer in its own statement: `when` yields a row, `problem` is the answer. */
export interface ClaimRefusal {
  when: RawBuilder<unknown>;
  problem(row: Record<string, unknown>): ProblemError;
}

export interface ClaimInput {
  principal: string;
  key: string;
  requestHash: string;
  lockSeconds: number;
  /** The signed request's jti, recorded in the same statement; a jti seen before claims nothing. */
  jti?: { issuer: string; jti: string; expiresAt: Date };
  /**
   * The claim (with its jti) commits without waiting for the disk (store/async-commit.ts): only for
   * a request whose loss in a database crash harms no one, as a quote's.
   */
  asyncCommit?: boolean;
  /**
   * A select that yields a row when the request is to be refused before it runs (an order for a
   * sold-out item): then the statement records the jti and claims nothing, and the claim's outcome
   * is `refused` with that row. Only for a key with no record yet (a key claimed or answered before
   * is answered as always), and only with the jti (the signed POSTs' claim).
   */
  refuseWhen?: RawBuilder<unknown>;
}

/** Inserts the claim (and the jti, when given): true when the key was free. */
async function insertClaim(
  db: Kysely<Database>,
  input: ClaimInput,
  lockedUntil: Date,
): Promise<boolean | 'replayed' | { refusal: Record<string, unknown> }> {
  if (!input.jti) {
    if (input.refuseWhen) throw new Error('a claim that may refuse needs the request’s jti');
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
    return inserted.numInsertedOrUpdatedRows === 1n;
  }
  const { rows } = await sql<{
    jti_new: boolean;
    claimed: boolean;
    refusal?: Record<string, unknown> | null;
  }>`
    with
    jti as (
      insert into request_nonces (issuer, jti, expires_at)
      values (${input.jti.issuer}, ${input.jti.jti}, ${input.jti.expiresAt})
      on conflict (issuer, jti) do nothing
      returning 1
    ),
    ${refusal(input)}
    claim as (
      insert into idempotency_records (principal, key, request_hash, status, locked_until)
      select ${input.principal}, ${input.key}, ${input.requestHash}, 'in_progress', ${lockedUntil}
      where exists (select from jti) ${input.refuseWhen ? sql`and not exists (select from refused)` : sql``}
      on conflict (principal, key) do nothing
      returning 1
    )
    select exists (select from jti) as jti_new, exists (select from claim) as claimed
      ${input.refuseWhen ? sql`, (select refusal from refused) as refusal` : sql``}
      ${input.asyncCommit ? sql`, ${asyncCommit} as synchronous_commit` : sql``}`.execute(db);
  const row = rows[0];
  if (!row?.jti_new) return 'replayed';
  if (row.refusal) return { refusal: row.refusal };
  return row.claimed;
}

/**
 * The refusal's row, taken only when the key has no record (as the statement's snapshot sees it: a
 * claim committed by a concurrent run of the same key in the meantime is not seen, and then both
 * runs answer what the refusal says, which the claimed run would also have found).
 */
function refusal(input: ClaimInput) {
  if (!input.refuseWhen) return sql``;
  return sql`refused as (
      select to_jsonb(r) as refusal from (${input.refuseWhen}) r
      where not exists (
        select from idempotency_records where principal = ${input.principal} and key = ${input.key})
      limit 1
    ),`;
}

/**
 * Claims the key for this request. A claim whose lock expired (its process died mid-request) is
 * taken over, so a key never stays stuck.
 */
export async function claimIdempotencyKey(db: Kysely<Database>, input: ClaimInput): Promise<ClaimResult> {
  const lockedUntil = new Date(Date.now() + input.lockSeconds * 1000);
  const inserted = await insertClaim(db, input, lockedUntil);
  if (inserted === 'replayed') return { outcome: 'replayed' };
  if (typeof inserted === 'object') return { outcome: 'refused', refusal: inserted.refusal };
  if (inserted) return { outcome: 'claimed', effectId: null };

  const takenOver = await db
    .updateTable('idempotency_records')
    .set({ locked_until: lockedUntil })
    .where('principal', '=', input.principal)
    .where('key', '=', input.key)
    .where('request_hash', '=', input.requestHash)
    .where('status', '=', 'in_progress')
    .where('locked_until', '<', new Date())
    .returning('effect_id')
    .executeTakeFirst();
  if (takenOver) return { outcome: 'claimed', effectId: takenOver.effect_id };

  const record = await db
    .selectFrom('idempotency_records')
    .selectAll()
    .where('principal', '=', input.principal)
    .where('key', '=', input.key)
    .executeTakeFirstOrThrow();
  return { outcome: 'existing', record };
}

/** The reply to a request, as stored under its key. */
export interface StoredAnswer {
  principal: string;
  key: string;
  status: number;
  contentType: string | null;
  body: string;
}

function storeAnswer(db: QueryCreator<Database>, input: StoredAnswer) {
  return db
    .updateTable('idempotency_records')
    .set({
      status: 'completed',
      response_status: input.status,
      response_content_type: input.contentType,
      response_body: input.body,
    })
    .where('principal', '=', input.principal)
    .where('key', '=', input.key);
}

/**
 * Stores the reply. With `asyncCommit` it commits without waiting for the disk: only for a reply
 * whose loss in a database crash leaves the retry to find the same effect (a key bound to it) or
 * to run a request that harms no one when answered again.
 */
export async function completeIdempotencyKey(
  db: Kysely<Database>,
  input: StoredAnswer & { asyncCommit?: boolean },
): Promise<void> {
  const { asyncCommit: lazily, ...answer } = input;
  if (!lazily) {
    await storeAnswer(db, answer).execute();
    return;
  }
  await storeAnswer(db, answer).returning(asyncCommit.as('synchronous_commit')).execute();
}

/**
 * Stores the reply inside the effect's transaction, only if no other run of the key answered first
 * (a run whose lease was taken over while it was still alive). False means the caller must roll
 * its effect back: the row lock makes the second run wait here and then see the first one's answer.
 */
export async function completeWithEffect(trx: Transaction<Database>, input: StoredAnswer): Promise<boolean> {
  const stored = await storeAnswer(trx, input).where('status', '=', 'in_progress').executeTakeFirst();
  return stored.numUpdatedRows === 1n;
}

/** Renews the lease of a running request, so that only a dead process's key runs out. */
export async function renewIdempotencyLease(
  db: Kysely<Database>,
  input: { principal: string; key: string; lockedUntil: Date },
): Promise<void> {
  await db
    .updateTable('idempotency_records')
    .set({ locked_until: input.lockedUntil })
    .where('principal', '=', input.principal)
    .where('key', '=', input.key)
    .where('status', '=', 'in_progress')
    .execute();
}

/**
 * Binds the key to the effect it created, in the effect's own transaction. Returns the effect the
 * key is bound to: this one, or the one an earlier run bound (then the caller rolls back and uses
 * that one). The update's row lock orders two runs of the same key.
 */
export async function bindIdempotencyEffect(
  trx: Transaction<Database>,
  input: { principal: string; key: string; effectId: string },
): Promise<string> {
  const row = await trx
    .updateTable('idempotency_records')
    .set({ effect_id: sql<string>`coalesce(effect_id, ${input.effectId})` })
    .where('principal', '=', input.principal)
    .where('key', '=', input.key)
    .returning('effect_id')
    .executeTakeFirst();
  if (!row?.effect_id) throw new Error(`idempotency key ${input.key} has no claim to bind an effect to`);
  return row.effect_id;
}

/** A query builder whose statement also stores the reply: the effect and its answer in one write. */
export function withStoredAnswer(db: Kysely<Database>, answer: StoredAnswer) {
  return db.with('stored_answer', (cte) => storeAnswer(cte, answer));
}

/**
 * Gives the key back when the request failed on our side, so that a retry runs it again. A key
 * already bound to its effect keeps the binding (the retry must find that effect, not make another);
 * only its lease ends.
 */
export async function releaseIdempotencyKey(
  db: Kysely<Database>,
  principal: string,
  key: string,
): Promise<void> {
  await sql`
    with released as (
      delete from idempotency_records
      where principal = ${principal} and key = ${key} and status = 'in_progress' and effect_id is null
      returning 1
    )
    update idempotency_records set locked_until = now() - interval '1 hour'
    where principal = ${principal} and key = ${key} and status = 'in_progress' and effect_id is not null
      and not exists (select from released)`.execute(db);
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
