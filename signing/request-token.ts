// The signed-request token: a short-lived JWT that binds a request's method, path and body to the
// caller's key. Partners sign their calls with it; the gateway signs its calls and webhooks the same way.
import { createHash, randomUUID } from 'node:crypto';
import { importJWK, type JWK, SignJWT } from 'jose';
import type { SigningAlgorithm } from './algorithms.ts';

/** The claims beyond the registered ones; snake_case like the registered claims. */
export interface RequestClaims {
  method: string;
  path: string;
  body_sha256: string;
}

/** SHA-256 of the exact body bytes, base64url without padding; the empty body hashes too. */
export function bodySha256(body: Uint8Array | string): string {
  return createHash('sha256').update(body).digest('base64url');
}

export interface SignRequestInput {
  privateJwk: JWK;
  kid: string;
  alg: SigningAlgorithm;
  issuer: string;
  audience: string;
  method: string;
  /** Path and query exactly as sent, e.g. `/v1/transfers?limit=10`. */
  path: string;
  body: Uint8Array | string;
  lifetimeSeconds?: number;
  /** Seconds since the epoch; the caller's clock by default. */
  nowSeconds?: number;
  jti?: string;
}

/** Imported private keys, per key object: importing costs more than signing. */
const importedKeys = new WeakMap<JWK, Awaited<ReturnType<typeof importJWK>>>();
async function importedKey(jwk: JWK, alg: SigningAlgorithm) {
  let key = importedKeys.get(jwk);
  if (!key) {
    key = await importJWK(jwk, alg);
    importedKeys.set(jwk, key);
  }
  return key;
}

export async function signRequest(input: SignRequestInput): Promise<string> {
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  const key = await importedKey(input.privateJwk, input.alg);
  const claims: RequestClaims = {
    method: input.method.toUpperCase(),
    path: input.path,
    body_sha256: bodySha256(input.body),
  };
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: input.alg, kid: input.kid, typ: 'JWT' })
    .setIssuer(input.issuer)
    .setAudience(input.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + (input.lifetimeSeconds ?? 60))
    .setJti(input.jti ?? randomUUID())
    .sign(key);
}
