// Middleware that admits only requests signed by the kind of caller a route is for (a partner, the
// operator, or finance), and records who it was.
import type { MiddlewareHandler } from 'hono';
import { ProblemError } from '../../domain/errors.ts';
import { financeIssuer, type GatewayEnv, operatorIssuer, type Principal } from '../context.ts';
import { type ClaimOptions, idempotentPosts } from '../idempotency.ts';

export type SignerKind = Principal['kind'];

const routesOf: Record<SignerKind, string> = {
  partner: 'partners',
  operator: 'the operator (/v1/operator)',
  finance: 'finance (/v1/finance)',
};

function principalOf(issuer: string): Principal {
  if (issuer === operatorIssuer) return { kind: 'operator' };
  if (issuer === financeIssuer) return { kind: 'finance' };
  return { kind: 'partner', partnerId: issuer };
}

function signedBy(kind: SignerKind): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const { verify } = c.get('requestGuards');
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
    const principal = principalOf(caller.issuer);
    if (principal.kind !== kind) {
      throw new ProblemError(
        'forbidden',
        `This endpoint is for ${routesOf[kind]}; you sign as ${routesOf[principal.kind]}.`,
      );
    }
    c.set('principal', principal);
    if (isPost)
      c.set('unrecordedJti', { issuer: caller.issuer, jti: caller.jti, expiresAt: caller.expiresAt });
    // The request's own child logger gains the caller: no second child per request.
    c.get('logger').setBindings({ caller: caller.issuer, kid: caller.kid });
    await next();
  };
}

/**
 * The signature check and the Idempotency-Key claim, always together: a POST's jti is only recorded
 * by the claim, so one must never run without the other.
 */
export function signedRequests(kind: SignerKind, claim: ClaimOptions = {}): MiddlewareHandler<GatewayEnv>[] {
  return [signedBy(kind), idempotentPosts(claim)];
}
