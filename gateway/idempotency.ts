// Idempotency-Key on every POST: the first answer is stored with a hash of the request; a repeat
// gets that answer unchanged, and the same key with another request is a conflict. Answers of
// 5xx are not stored, because nothing took effect and a retry must be able to run again.
// A handler that writes stores its reply (or binds the key to its effect) in the effect's own
// transaction (`replyWithEffect`), so a crash between the effect and the answer cannot let a retry
// make the effect twice.
import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Kysely, Transaction } from 'kysely';
import { ProblemError } from '../domain/errors.ts';
import { refuseReplay } from '../signing/request-verifier.ts';
import type { Database } from '../store/database.ts';
import {
  type ClaimInserter,
  type ClaimRefusal,
  claimIdempotencyKey,
  completeIdempotencyKey,
  completeWithEffect,
  findStoredAnswer,
  releaseIdempotencyKey,
  renewIdempotencyLease,
  type StoredAnswer,
} from '../store/idempotency.ts';
import { type GatewayEnv, type IdempotencyClaim, principalName } from './context.ts';

const keyPattern = /^[\x21-\x7e]{1,255}$/;

export const idempotencyKeyHeader = 'Idempotency-Key';
export const replayedHeader = 'Idempotent-Replayed';

/** What a repeat must match to be the same request: method, path with query, and the exact body. */
export function hashRequest(method: string, pathWithQuery: string, body: Uint8Array): string {
  return createHash('sha256').update(`${method} ${pathWithQuery}\n`).update(body).digest('hex');
}

export interface ClaimOptions {
  /**
   * The claim and its jti commit without waiting for the disk: for a route whose request, lost in a
   * database crash, harms no one if answered again (quotes; see docs/architecture.md), or whose
   * effect commits synchronously after the claim and so flushes it too (orders).
   */
  asyncCommit?: boolean;
  /**
   * The reply this middleware stores commits without waiting for the disk: for a route whose reply,
   * lost in a database crash, leaves a retry to find the same effect (orders: the key is bound to
   * the order in the order's own durable statement) or to run a request that harms no one again.
   */
  asyncReply?: boolean;
  /**
   * A refusal the claim answers in its own statement, with no key claimed (an order for a sold-out
   * item): from the request and its raw body, what to check, or undefined to claim as always. It
   * must give the answer the handler would give, and only when the handler would give it.
   */
  refuseFirst?: (c: Context<GatewayEnv>, body: Uint8Array) => ClaimRefusal | undefined;
  /**
   * The claim made by a statement of the route's own that also reads what the handler reads first (a
   * quote's context), one round trip for both: from the request and its raw body, that statement
   * (store/idempotency.ts `insertWith`), or undefined to claim as always.
   */
  claimWith?: (c: Context<GatewayEnv>, body: Uint8Array) => ClaimInserter | undefined;
}

export function idempotentPosts(options: ClaimOptions = {}): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const { db, idempotencyLockSeconds: lockSeconds } = c.get('requestGuards');
    if (c.req.method !== 'POST') return next();
    const key = c.req.header(idempotencyKeyHeader);
    if (key === undefined) {
      throw new ProblemError('idempotency_key_missing', 'Every POST needs an Idempotency-Key header.', [
        { field: `header.${idempotencyKeyHeader}`, message: 'required' },
      ]);
    }
    if (!keyPattern.test(key)) {
      throw new ProblemError('idempotency_key_invalid', 'Use 1 to 255 visible ASCII characters.', [
        { field: `header.${idempotencyKeyHeader}`, message: 'must be 1 to 255 visible ASCII characters' },
      ]);
    }
    const principal = principalName(c.get('principal'));
    const url = new URL(c.req.url);
    const body = new Uint8Array(await c.req.arrayBuffer());
    const requestHash = hashRequest(c.req.method, `${url.pathname}${url.search}`, body);

    const jti = c.get('unrecordedJti');
    if (!jti) throw new Error('a POST reached the Idempotency-Key claim without its signature check');
    const refusal = options.refuseFirst?.(c, body);
    const claim = await claimIdempotencyKey(db, {
      principal,
      key,
      requestHash,
      lockSeconds,
      jti,
      asyncCommit: options.asyncCommit === true,
      insertWith: refusal?.claim ?? options.claimWith?.(c, body),
    });
    c.set('unrecordedJti', undefined);
    if (claim.outcome === 'replayed') refuseReplay(jti.jti);
    if (claim.outcome === 'refused') {
      if (!refusal) throw new Error('a claim refused a request it was given no refusal for');
      throw refusal.problem(claim.refusal);
    }
    if (claim.outcome === 'existing') {
      const { record } = claim;
      if (record.request_hash !== requestHash) {
        throw new ProblemError(
          'idempotency_key_reused',
          `Key ${key} was first used with a different request.`,
          [
            {
              field: `header.${idempotencyKeyHeader}`,
              message: 'already used with another method, path or body',
            },
          ],
        );
      }
      if (record.status !== 'completed' || record.response_status === null) {
        c.header('Retry-After', '1');
        throw new ProblemError(
          'idempotency_request_in_progress',
          `The first request with key ${key} is still running.`,
        );
      }
      return c.body(record.response_body ?? '', record.response_status as ContentfulStatusCode, {
        'Content-Type': record.response_content_type ?? 'application/json',
        [replayedHeader]: 'true',
      });
    }

    c.set('idempotency', { principal, key, answered: false, effectId: claim.effectId });
    const stopRenewing = renewLeaseWhileRunning(db, { principal, key }, lockSeconds, c.get('logger'));
    try {
      await next();
    } catch (error) {
      if (!c.get('idempotency')?.released) await releaseIdempotencyKey(db, principal, key);
      throw error;
    } finally {
      stopRenewing();
    }
    if (c.get('idempotency')?.answered) return;
    if (c.res.status >= 500) {
      await releaseIdempotencyKey(db, principal, key);
      return;
    }
    const stored = await completeIdempotencyKey(db, {
      principal,
      key,
      status: c.res.status,
      contentType: c.res.headers.get('content-type'),
      body: await c.res.clone().text(),
      asyncCommit: options.asyncReply === true,
    });
    if (stored) return;
    // Another run of the key answered first (one of the two had its lease taken over while it ran):
    // the first stored answer is the key's, so this caller is given it too, not what this run
    // concluded. A run whose effect is bound to the key stores its answer with the effect, so the
    // effect and the answer that stands agree.
    const first = await firstAnswer(db, { principal, key });
    if (first) c.res = first;
  };
}

/** The key's stored answer as a replayed response, when a run has answered it. */
async function firstAnswer(
  db: Kysely<Database>,
  claim: { principal: string; key: string },
): Promise<Response | undefined> {
  const first = await findStoredAnswer(db, claim);
  if (!first) return undefined;
  return new Response(first.body, {
    status: first.status,
    headers: { 'Content-Type': first.contentType ?? 'application/json', [replayedHeader]: 'true' },
  });
}

/**
 * For a handler whose statement was to store its reply with its effect and found the key answered
 * by another run (one of the two had its lease taken over): nothing of this run was written, and its
 * caller is given the key's first answer.
 */
export async function replyAnsweredByAnotherRun(
  c: Context<GatewayEnv>,
  db: Kysely<Database>,
): Promise<Response> {
  const claim = requireClaim(c);
  claim.answered = true;
  const first = await firstAnswer(db, claim);
  if (first) return first;
  c.header('Retry-After', '1');
  throw new ProblemError('idempotency_request_in_progress', `Key ${claim.key} was answered by another run.`);
}

/**
 * The claim is a lease of lockSeconds; while the request runs it is renewed every third of that, so
 * a long request keeps its key and a dead process's key runs out within lockSeconds.
 */
function renewLeaseWhileRunning(
  db: Kysely<Database>,
  claim: { principal: string; key: string },
  lockSeconds: number,
  logger: { warn(object: object, message: string): void },
): () => void {
  const timer = setInterval(
    () => {
      const lockedUntil = new Date(Date.now() + lockSeconds * 1000);
      renewIdempotencyLease(db, { ...claim, lockedUntil }).catch((error: unknown) =>
        logger.warn({ err: error }, 'could not renew the Idempotency-Key lease'),
      );
    },
    Math.max(200, (lockSeconds * 1000) / 3),
  );
  timer.unref();
  return () => clearInterval(timer);
}

/** The claim of the POST being handled; every POST route runs behind the claim. */
export function requireClaim(c: Context<GatewayEnv>): IdempotencyClaim {
  const claim = c.get('idempotency');
  if (!claim) throw new Error('a POST handler ran without its Idempotency-Key claim');
  return claim;
}

/**
 * Runs a handler's writes in one transaction that also stores its reply under the key: the effect
 * and its answer commit together or not at all. If another run of the same key answered first, this
 * run's effect is rolled back and the caller is told to retry (and then gets that first answer).
 */
export async function replyWithEffect<Reply extends { status: number; body: unknown }>(
  c: Context<GatewayEnv>,
  db: Kysely<Database>,
  effect: (trx: Transaction<Database>) => Promise<Reply>,
): Promise<Reply> {
  const claim = requireClaim(c);
  const reply = await db.transaction().execute(async (trx) => {
    const result = await effect(trx);
    const stored = await completeWithEffect(trx, {
      principal: claim.principal,
      key: claim.key,
      status: result.status,
      contentType: 'application/json',
      body: JSON.stringify(result.body),
    });
    if (!stored) {
      c.header('Retry-After', '1');
      throw new ProblemError(
        'idempotency_request_in_progress',
        `Key ${claim.key} was answered by another run.`,
      );
    }
    return result;
  });
  claim.answered = true;
  return reply;
}

/**
 * For a handler that writes its effect and its reply in one statement (one round trip less, and a
 * reply that cannot be lost once the effect exists): the reply to store with the effect. Once that
 * statement has committed, the handler calls `storedWithEffect` and answers `value` with `status`;
 * this middleware stores nothing more. Should the statement fail, its error is answered and stored
 * (or, a 5xx, the key released) as any handler's, rather than leaving the key claimed until its
 * lease runs out.
 */
export function replyStoredWithEffect(c: Context<GatewayEnv>, status: number, value: unknown): StoredAnswer {
  const claim = c.get('idempotency');
  if (!claim) throw new Error('replyStoredWithEffect outside an idempotent POST');
  // c.json serialises the same value the same way, so a replay is byte for byte the first reply.
  return {
    principal: claim.principal,
    key: claim.key,
    status,
    contentType: 'application/json',
    body: JSON.stringify(value),
  };
}

/** The statement that stored this request's reply with its effect has committed (replyStoredWithEffect). */
export function storedWithEffect(c: Context<GatewayEnv>): void {
  requireClaim(c).answered = true;
}
