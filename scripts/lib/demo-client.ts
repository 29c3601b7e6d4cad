// The demo's callers: a demo partner, the operator or finance, each with the typed gateway client,
// the way a partner's own integration calls the gateway (partner-kit/client).
import { createGatewayClient, dataOrThrow, type GatewayClient } from '../../partner-kit/client/index.ts';
import type { SigningKeyPair } from '../../signing/keys.ts';

export interface DemoGateway {
  url: string;
  audience: string;
}

/** A client that signs as `issuer` (a partner id, `operator` or `finance`) with its key. */
export function demoClient(issuer: string, key: SigningKeyPair, gateway: DemoGateway): GatewayClient {
  return createGatewayClient({
    baseUrl: gateway.url,
    partnerId: issuer,
    privateJwk: key.privateJwk,
    kid: key.kid,
    audience: gateway.audience,
  });
}

/** The answer's data; a refusal stops the seeding, saying what it was doing. */
export function seeded<Result extends { data?: unknown; error?: unknown; response: Response }>(
  result: Result,
  what: string,
): Exclude<Result['data'], undefined> {
  try {
    return dataOrThrow(result);
  } catch (error) {
    throw new Error(`demo: ${what}: ${(error as Error).message}`);
  }
}
