// Stored answers to POST requests, keyed by (caller, Idempotency-Key). A key is claimed before the
// handler runs and completed with its response afterwards, so a concurrent duplicate waits its turn
// instead of running twice. The claim is a lease that the running request keeps renewing: a key
// whose process died is free again once the lease runs out (seconds), not after a long lock.
import { type Kysely, type QueryCreator, sql, type Transaction } from 'kysely';
import type { ProblemError } from '../domain/errors.ts';
import { asyncCommit } from './async-commit.ts';
import type { Database, IdempotencyRecord } from './database.ts';
import { batcherPerPool, createStatementBatcher } from './statement-batcher.ts';

export type ClaimResult =
  /** effectId: what an earlier run of this key already created (it died before answering). */
  | { outcome: 'claimed'; effectId: string | null }
  | { outcome: 'existing'; record: IdempotencyRecord }
  | { outcome: 'replayed' }
  /** The request was refused by the claim's own statement (`insertWith`): no key was claimed. */
  | { outcome: 'refused'; refusal: Record<string, unknown> };

/** What a claim's insert found: true when the key was free, false when it had a record already. */
export type ClaimInsert = boolean | 'replayed' | { refusal: Record<string, unknown> };

/**
 * A claim's insert made by a statement of the route's own: one that records the jti and, instead of
 * claiming, may refuse the request (then it yields the refusal's row), as this module's own insert
 * would otherwise claim. It must claim only a key with no record, and record the jti either way.
 */
export type ClaimInserter = (
  db: Kysely<Database>,
  input: ClaimInput,
  lockedUntil: Date,
) => Promise<ClaimInsert>;

/** A refusal a claim may answer in its own statement: `claim` inserts or refuses, `problem` answers. */
export interface ClaimRefusal {
  claim: ClaimInserter;
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
   * Inserts the claim instead of this module's own statement (an order's claim, which answers a
   * sold-out order itself: store/catalog-sold-out.ts). Only with the jti (the signed POSTs' claim).
   */
  insertWith?: ClaimInserter;
}

/** Inserts the claim (and the jti, when given): true when the key was free. */
async function insertClaim(db: Kysely<Database>, input: ClaimInput, lockedUntil: Date): Promise<ClaimInsert> {
  if (!input.jti) {
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
  const { rows } = await sql<ClaimedRow>`
    with ${claimCtes({
      issuer: input.jti.issuer,
      jti: input.jti.jti,
      expiresAt: input.jti.expiresAt,
      principal: input.principal,
      key: input.key,
      requestHash: input.requestHash,
      lockedUntil,
    })}
    select ${claimedColumns(input.asyncCommit === true)}`.execute(db);
  return claimInsertOf(rows[0]);
}

/** The values of a signed POST's claim statement: a statement built once gives placeholders. */
export interface ClaimValues {
  issuer: unknown;
  jti: unknown;
  expiresAt: unknown;
  principal: unknown;
  key: unknown;
  requestHash: unknown;
  lockedUntil: unknown;
}

/**
 * The CTEs `jti` and `claim` of a signed POST's claim, for a statement that may read more after them
 * (a quote's context, store/quotes.ts): the jti recorded, and the key claimed only if the jti is new.
 */
export function claimCtes(values: ClaimValues) {
  return sql`
    jti as (
      insert into request_nonces (issuer, jti, expires_at)
      values (${values.issuer}, ${values.jti}, ${values.expiresAt})
      on conflict (issuer, jti) do nothing
      returning 1
    ),
    claim as (
      insert into idempotency_records (principal, key, request_hash, status, locked_until)
      select ${values.principal}, ${values.key}, ${values.requestHash}, 'in_progress', ${values.lockedUntil}
      where exists (select from jti)
      on conflict (principal, key) do nothing
      returning 1
    )`;
}

/** What the statement of `claimCtes` selects about its claim. */
export function claimedColumns(lazily: boolean) {
  return sql`exists (select from jti) as jti_new, exists (select from claim) as claimed
    ${lazily ? sql`, ${asyncCommit} as synchronous_commit` : sql``}`;
}

export interface ClaimedRow {
  jti_new: boolean;
  claimed: boolean;
}

export function claimInsertOf(row: ClaimedRow | undefined): ClaimInsert {
  if (!row?.jti_new) return 'replayed';
  return row.claimed;
}

/**
 * Claims the key for this request. A claim whose lock expired (its process died mid-request) is
 * taken over, so a key never stays stuck.
 */
export async function claimIdempotencyKey(db: Kysely<Database>, input: ClaimInput): Promise<ClaimResult> {
  const lockedUntil = new Date(Date.now() + input.lockSeconds * 1000);
  if (input.insertWith && !input.jti)
    throw new Error('a claim inserted by its route needs the request’s jti');
  const inserted = input.insertWith
    ? await input.insertWith(db, input, lockedUntil)
    : await insertClaim(db, input, lockedUntil);
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

/**
 * Stores the reply unless another run of the key answered first: a run whose lease was taken over
 * while it was still alive (its event loop blocked, say) must not replace the answer the run that
 * took over gave, or every retry would be told what the stale run concluded.
 */
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
    .where('key', '=', input.key)
    .where('status', '=', 'in_progress');
}

/**
 * Stores the reply. With `asyncCommit` it commits without waiting for the disk: only for a reply
 * whose loss in a database crash leaves the retry to find the same effect (a key bound to it) or
 * to run a request that harms no one when answered again. Those replies are stored many in one
 * statement when many arrive at once (store/statement-batcher.ts), as a flash sale's do.
 */
export async function completeIdempotencyKey(
  db: Kysely<Database>,
  input: StoredAnswer & { asyncCommit?: boolean },
): Promise<boolean> {
  const { asyncCommit: lazily, ...answer } = input;
  if (!lazily) return (await storeAnswer(db, answer).executeTakeFirst()).numUpdatedRows === 1n;
  if (db.isTransaction) {
    const rows = await storeAnswer(db, answer).returning(asyncCommit.as('synchronous_commit')).execute();
    return rows.length === 1;
  }
  return lazyAnswers(db).submit(answer);
}

const lazyAnswers = batcherPerPool((db) =>
  createStatementBatcher<StoredAnswer, boolean>({
    kind: 'stored_reply',
    slots: 2,
    maxSize: 100,
    apart: (answer) => [`${answer.principal}\n${answer.key}`],
    run: async (answers) => {
      const column = <Value>(pick: (answer: StoredAnswer) => Value) => answers.map(pick);
      const { rows } = await sql`
        update idempotency_records r
        set status = 'completed', response_status = u.status, response_content_type = u.content_type,
          response_body = u.body
        from unnest(${column((a) => a.principal)}::text[], ${column((a) => a.key)}::text[],
          ${column((a) => a.status)}::int[], ${column((a) => a.contentType)}::text[],
          ${column((a) => a.body)}::text[]) as u(principal, key, status, content_type, body)
        where r.principal = u.principal and r.key = u.key and r.status = 'in_progress'
        returning r.principal, r.key, ${asyncCommit} as synchronous_commit`.execute(db);
      const stored = new Set(
        (rows as { principal: string; key: string }[]).map((row) => `${row.principal}\n${row.key}`),
      );
      return answers.map((answer) => stored.has(`${answer.principal}\n${answer.key}`));
    },
  }),
);

/**
 * Stores the reply inside the effect's transaction, only if no other run of the key answered first
 * (a run whose lease was taken over while it was still alive). False means the caller must roll
 * its effect back: the row lock makes the second run wait here and then see the first one's answer.
 */
export async function completeWithEffect(trx: Transaction<Database>, input: StoredAnswer): Promise<boolean> {
  const stored = await storeAnswer(trx, input).executeTakeFirst();
  return stored.numUpdatedRows === 1n;
}

/** The key's stored reply, when a run has answered it. */
export async function findStoredAnswer(
  db: Kysely<Database>,
  input: { principal: string; key: string },
): Promise<Omit<StoredAnswer, 'principal' | 'key'> | undefined> {
  const record = await db
    .selectFrom('idempotency_records')
    .select(['response_status', 'response_content_type', 'response_body'])
    .where('principal', '=', input.principal)
    .where('key', '=', input.key)
    .where('status', '=', 'completed')
    .executeTakeFirst();
  if (!record || record.response_status === null) return undefined;
  return {
    status: record.response_status,
    contentType: record.response_content_type,
    body: record.response_body ?? '',
  };
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

/**
 * A query builder whose statement also stores the reply: the effect and its answer in one write.
 * `stored_answer` holds a row when this run's reply was stored (no other run had answered).
 */
export function withStoredAnswer(db: Kysely<Database>, answer: StoredAnswer) {
  return db.with('stored_answer', (cte) => storeAnswer(cte, answer).returning('key'));
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
