// Middleware that admits only requests signed by a partner, or by the operator, and records who it was.
import type { MiddlewareHandler } from 'hono';
import { ProblemError } from '../../domain/errors.ts';
import { type GatewayEnv, operatorIssuer } from '../context.ts';
import { idempotentPosts } from '../idempotency.ts';

function signedBy(kind: 'partner' | 'operator'): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const { verify } = c.var.requestGuards;
    const url = new URL(c.req.url);
    const isPost = c.req.method === 'POST';
    const caller = await verify({
      authorization: c.req.header('authorization'),
      method: c.req.method,
      path: `${url.pathname}${url.search}`,
      body: new Uint8Array(await c.req.arrayBuffer()),
      // A POST's jti is recorded with its Idempotency-Key claim: one statement instead of two.
      jtiRecordedByCaller: isPost,
    });
    const isOperator = caller.issuer === operatorIssuer;
    if (kind === 'operator' && !isOperator) {
      throw new ProblemError('forbidden', 'Only the operator may call this endpoint.');
    }
    if (kind === 'partner' && isOperator) {
      throw new ProblemError('forbidden', 'This endpoint is for partners; the operator uses /v1/operator.');
    }
    c.set('principal', isOperator ? { kind: 'operator' } : { kind: 'partner', partnerId: caller.issuer });
    if (isPost)
      c.set('unrecordedJti', { issuer: caller.issuer, jti: caller.jti, expiresAt: caller.expiresAt });
    // The request's own child logger gains the caller: no second child per request.
    c.var.logger.setBindings({ caller: caller.issuer, kid: caller.kid });
    await next();
  };
}

/**
 * The signature check and the Idempotency-Key claim, always together: a POST's jti is only recorded
 * by the claim, so one must never run without the other.
 */
export function signedRequests(kind: 'partner' | 'operator'): MiddlewareHandler<GatewayEnv>[] {
  return [signedBy(kind), idempotentPosts()];
}
