// The typed gateway client: openapi-fetch over the types generated from openapi/gateway.json, with
// the middleware that signs each attempt, sets the Idempotency-Key and asks again after a lost answer.
import type { JWK } from 'jose';
import createClient, { type Client } from 'openapi-fetch';
import { isSigningAlgorithm } from '../../signing/algorithms.ts';
import { signRequest } from '../../signing/request-token.ts';
import type { components, paths } from './gateway-api.d.ts';
import { type RequestSigner, type RetryLimits, signingMiddleware } from './signing-middleware.ts';

export type GatewayClient = Client<paths>;
/** The gateway's schemas by name: `Schemas['Transfer']`, `Schemas['Quote']`... */
export type Schemas = components['schemas'];

export const defaultGatewayAudience = 'points-alliance-gateway';

export type GatewayClientOptions = {
  /** The gateway's address, e.g. `https://gateway.example.com`. */
  baseUrl: string;
  /** The token's issuer: your partner id (`operator` or `finance` for the alliance's own teams). */
  partnerId: string;
  /** The `aud` the gateway expects; `points-alliance-gateway` unless your operator says otherwise. */
  audience?: string;
  /** Defaults to the global fetch. */
  fetch?: (request: Request) => Promise<Response>;
} & Partial<RetryLimits> &
  (
    | {
        /** Your private key as a JWK (with its `alg`); the gateway holds its public half. */
        privateJwk: JWK;
        /** The registered key's id; the JWK's own `kid` by default. */
        kid?: string;
        signer?: never;
      }
    | {
        /** Signs elsewhere (a KMS, an HSM): gets the issuer, audience, method, path and body. */
        signer: (request: SignerInput) => Promise<string>;
        privateJwk?: never;
        kid?: never;
      }
  );

export interface SignerInput {
  issuer: string;
  audience: string;
  method: string;
  /** Path and query exactly as sent. */
  path: string;
  body: string;
}

const defaultLimits: RetryLimits = {
  attemptsMax: 4,
  attemptTimeoutMs: 30_000,
  retryDelayMs: 250,
  retryDelayMaxMs: 5_000,
};

/**
 * A client whose every call is signed. A POST without an Idempotency-Key gets a random one, which
 * makes the middleware's own retries safe but not yours: to retry a call later (after a crash, say),
 * give it your business key (`params: { header: { 'idempotency-key': 'order-7731' } }`).
 */
export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  const audience = options.audience ?? defaultGatewayAudience;
  const sign: (request: SignerInput) => Promise<string> = options.signer ?? jwkSigner(options);
  const signer: RequestSigner = (request) => sign({ issuer: options.partnerId, audience, ...request });
  const fetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const limits: RetryLimits = {
    attemptsMax: options.attemptsMax ?? defaultLimits.attemptsMax,
    attemptTimeoutMs: options.attemptTimeoutMs ?? defaultLimits.attemptTimeoutMs,
    retryDelayMs: options.retryDelayMs ?? defaultLimits.retryDelayMs,
    retryDelayMaxMs: options.retryDelayMaxMs ?? defaultLimits.retryDelayMaxMs,
  };
  const client = createClient<paths>({ baseUrl: options.baseUrl, fetch });
  client.use(signingMiddleware({ signer, limits, fetch }));
  return client;
}

function jwkSigner(options: { privateJwk: JWK; kid?: string }): (request: SignerInput) => Promise<string> {
  const { privateJwk } = options;
  const kid = options.kid ?? privateJwk.kid;
  if (!isSigningAlgorithm(privateJwk.alg)) {
    throw new Error('the private JWK needs its alg: one of RS256, PS256, ES256, EdDSA');
  }
  if (!kid) throw new Error('give the registered key id (kid), or a JWK that carries it');
  const alg = privateJwk.alg;
  return (request) => signRequest({ privateJwk, kid, alg, ...request });
}
