// Who may call a route is declared with the route, once: `signedRoute('partner', …)` both documents
// the signature scheme in the OpenAPI document and puts the signature check and the Idempotency-Key
// claim in front of the handler. A route cannot be documented as signed and left open, or the
// reverse; gateway/security.test.ts checks that every documented route declares its access.
import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import type { ClaimOptions } from '../idempotency.ts';
import { financeSecurity, operatorSecurity, partnerSecurity } from '../schemas/common.ts';
import { type SignerKind, signedRequests } from './signed-by.ts';

const guards = {
  partner: signedRequests('partner'),
  operator: signedRequests('operator'),
  finance: signedRequests('finance'),
};
const schemes = { partner: partnerSecurity, operator: operatorSecurity, finance: financeSecurity };

/** A route only callers signing as `kind` reach: documented and enforced from this one declaration. */
export function signedRoute<const R extends Omit<RouteConfig, 'security' | 'middleware'>>(
  kind: SignerKind,
  config: R,
  claim?: ClaimOptions,
) {
  return createRoute({
    ...config,
    security: schemes[kind],
    middleware: claim ? signedRequests(kind, claim) : guards[kind],
  });
}

/** A route anyone may call (health, keys, the document): says so, rather than forgetting to sign. */
export function publicRoute<const R extends Omit<RouteConfig, 'security' | 'middleware'>>(config: R) {
  return createRoute({ ...config, security: [] });
}
