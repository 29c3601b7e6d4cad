// The gateway's signing keys and the operator's public keys, from configuration. For local runs,
// `npm start` keeps generated keys under .data/keys so that a restart keeps the same identities.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { JWK } from 'jose';
import { isSigningAlgorithm, type SigningAlgorithm } from '../signing/algorithms.ts';
import { generateSigningKeyPair, type SigningKeyPair, toPublicJwk } from '../signing/keys.ts';

export interface GatewayKeys {
  /** Signs the gateway's calls and webhooks. */
  signing: SigningKeyPair;
  /** Published at /.well-known/jwks.json: the signing key and any older ones still verifiable. */
  publicKeys: JWK[];
}

export function gatewayKeysFromJwks(jwks: { keys: Record<string, unknown>[] }): GatewayKeys {
  const keys = jwks.keys as (JWK & { kid: string })[];
  const first = keys[0];
  if (!first || typeof first.d !== 'string')
    throw new Error('GATEWAY_PRIVATE_JWKS: the first key must be a private key');
  if (!isSigningAlgorithm(first.alg))
    throw new Error('GATEWAY_PRIVATE_JWKS: the first key needs alg RS256, PS256, ES256 or EdDSA');
  const publicKeys = keys.map((key) => ({ ...toPublicJwk(key), use: 'sig' }));
  return {
    signing: { kid: first.kid, alg: first.alg, privateJwk: first, publicJwk: publicKeys[0] as JWK },
    publicKeys,
  };
}

/** Reads a key pair kept in a file, or makes one and keeps it there (readable by its owner only). */
export async function loadOrCreateKeyPair(file: string, alg: SigningAlgorithm): Promise<SigningKeyPair> {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as SigningKeyPair;
  const pair = await generateSigningKeyPair(alg);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(pair, null, 2)}\n`, { mode: 0o600 });
  return pair;
}

/** Reads a key pair kept in a file; undefined when there is none. */
export function readKeyPair(file: string): SigningKeyPair | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SigningKeyPair) : undefined;
}
