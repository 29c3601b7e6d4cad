// What every handler can read from the request context. The hot path reads it with `c.get(name)`:
// Hono's `c.var` copies every variable into a new object at each read.
import type { Kysely } from 'kysely';
import type { Logger } from '../runtime/logger.ts';
import type { RequestVerifier } from '../signing/request-verifier.ts';
import type { Database } from '../store/database.ts';

export type Principal = { kind: 'partner'; partnerId: string } | { kind: 'operator' } | { kind: 'finance' };

export type GatewayEnv = {
  Variables: {
    requestId: string;
    logger: Logger;
    principal: Principal;
    /** A signed POST's jti, left for the Idempotency-Key claim to record in the same statement. */
    unrecordedJti?: UnrecordedJti;
    /** The POST's claimed Idempotency-Key. */
    idempotency?: IdempotencyClaim;
    /** What the signature check and the Idempotency-Key claim of a signed route need (set by the app). */
    requestGuards: RequestGuards;
  };
};

export interface RequestGuards {
  verify: RequestVerifier;
  db: Kysely<Database>;
  idempotencyLockSeconds: number;
}

export interface IdempotencyClaim {
  principal: string;
  key: string;
  /** True once a handler stored its reply itself, with its effect. */
  answered: boolean;
  /** What an earlier run of this key created before its process died, if anything. */
  effectId: string | null;
  /** True once a handler gave the key back itself, in the statement that refused the request. */
  released?: boolean;
}

export interface UnrecordedJti {
  issuer: string;
  jti: string;
  expiresAt: Date;
}

export const operatorIssuer = 'operator';
/** The alliance's finance team: an issuer of its own, with keys from configuration like the operator's. */
export const financeIssuer = 'finance';

export function principalName(principal: Principal): string {
  return principal.kind === 'partner' ? principal.partnerId : principal.kind;
}

/** The calling partner's id; partner routes are only reached through the partner signature check. */
export function callerPartnerId(principal: Principal): string {
  if (principal.kind !== 'partner')
    throw new Error('a partner route was reached without a partner principal');
  return principal.partnerId;
}
