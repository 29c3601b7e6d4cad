// What every handler can read from the request context.
import type { Logger } from '../runtime/logger.ts';

export type Principal = { kind: 'partner'; partnerId: string } | { kind: 'operator' };

export type GatewayEnv = {
  Variables: {
    requestId: string;
    logger: Logger;
    principal: Principal;
  };
};

export const operatorIssuer = 'operator';

export function principalName(principal: Principal): string {
  return principal.kind === 'operator' ? operatorIssuer : principal.partnerId;
}

/** The calling partner's id; partner routes are only reached through the partner signature check. */
export function callerPartnerId(principal: Principal): string {
  if (principal.kind !== 'partner')
    throw new Error('a partner route was reached without a partner principal');
  return principal.partnerId;
}
