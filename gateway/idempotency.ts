// Idempotency-Key on every POST: the first answer is stored with a hash of the request; a repeat
// gets that answer unchanged, and the same key with another request is a conflict. Answers of
// 5xx are not stored, because nothing took effect and a retry must be able to run again.
import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Kysely } from 'kysely';
import { ProblemError } from '../domain/errors.ts';
import { refuseReplay } from '../signing/request-verifier.ts';
import type { Database } from '../store/database.ts';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
  type StoredAnswer,
} from '../store/idempotency.ts';
import { type GatewayEnv, principalName } from './context.ts';

const keyPattern = /^[\x21-\x7e]{1,255}$/;

export const idempotencyKeyHeader = 'Idempotency-Key';
export const replayedHeader = 'Idempotent-Replayed';

export function idempotentPosts(db: Kysely<Database>, lockSeconds: number): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
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
    const principal = principalName(c.var.principal);
    const url = new URL(c.req.url);
    const requestHash = createHash('sha256')
      .update(`${c.req.method} ${url.pathname}${url.search}\n`)
      .update(new Uint8Array(await c.req.arrayBuffer()))
      .digest('hex');

    const jti = c.var.unrecordedJti;
    if (!jti) throw new Error('a POST reached the Idempotency-Key claim without its signature check');
    const claim = await claimIdempotencyKey(db, { principal, key, requestHash, lockSeconds, jti });
    c.set('unrecordedJti', undefined);
    if (claim.outcome === 'replayed') refuseReplay(jti.jti);
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

    c.set('idempotency', { principal, key, answered: false });
    try {
      await next();
    } catch (error) {
      await releaseIdempotencyKey(db, principal, key);
      throw error;
    }
    if (c.var.idempotency?.answered) return;
    if (c.res.status >= 500) {
      await releaseIdempotencyKey(db, principal, key);
      return;
    }
    await completeIdempotencyKey(db, {
      principal,
      key,
      status: c.res.status,
      contentType: c.res.headers.get('content-type'),
      body: await c.res.clone().text(),
    });
  };
}

/**
 * For a handler that writes its effect and its reply in one statement (one round trip less, and a
 * reply that cannot be lost once the effect exists): the reply to store with the effect. The
 * handler must then answer `value` with `status`; this middleware stores nothing more. Should the
 * statement fail, the key is released as for any error.
 */
export function replyStoredWithEffect(c: Context<GatewayEnv>, status: number, value: unknown): StoredAnswer {
  const claim = c.var.idempotency;
  if (!claim) throw new Error('replyStoredWithEffect outside an idempotent POST');
  claim.answered = true;
  // c.json serialises the same value the same way, so a replay is byte for byte the first reply.
  return {
    principal: claim.principal,
    key: claim.key,
    status,
    contentType: 'application/json',
    body: JSON.stringify(value),
  };
}
