// Middleware that admits only requests signed by a partner, or by the operator, and records who it was.
import type { MiddlewareHandler } from 'hono';
import { ProblemError } from '../../domain/errors.ts';
import type { RequestVerifier } from '../../signing/request-verifier.ts';
import { type GatewayEnv, operatorIssuer } from '../context.ts';

export function signedBy(
  kind: 'partner' | 'operator',
  verify: RequestVerifier,
): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const url = new URL(c.req.url);
    const caller = await verify({
      authorization: c.req.header('authorization'),
      method: c.req.method,
      path: `${url.pathname}${url.search}`,
      body: new Uint8Array(await c.req.arrayBuffer()),
    });
    const isOperator = caller.issuer === operatorIssuer;
    if (kind === 'operator' && !isOperator) {
      throw new ProblemError('forbidden', 'Only the operator may call this endpoint.');
    }
    if (kind === 'partner' && isOperator) {
      throw new ProblemError('forbidden', 'This endpoint is for partners; the operator uses /v1/operator.');
    }
    c.set('principal', isOperator ? { kind: 'operator' } : { kind: 'partner', partnerId: caller.issuer });
    c.set('logger', c.var.logger.child({ caller: caller.issuer, kid: caller.kid }));
    await next();
  };
}
