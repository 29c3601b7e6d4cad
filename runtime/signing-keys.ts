// The gateway's signing keys and the operator's public keys, from configuration. For local runs,
// `npm start` keeps generated keys under .data/keys so that a restart keeps the same identities.
import { existsSync, readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import { isSigningAlgorithm, type SigningAlgorithm } from '../signing/algorithms.ts';
import { generateSigningKeyPair, type SigningKeyPair, toPublicJwk } from '../signing/keys.ts';
import { readOrCreateFile } from './file-created-once.ts';

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

/**
 * Reads a key pair kept in a file, or makes one and keeps it there (readable by its owner only); of
 * processes starting at once, all keep the one pair the first of them made.
 */
export async function loadOrCreateKeyPair(file: string, alg: SigningAlgorithm): Promise<SigningKeyPair> {
  const text = await readOrCreateFile(
    file,
    async () => `${JSON.stringify(await generateSigningKeyPair(alg), null, 2)}\n`,
  );
  return JSON.parse(text) as SigningKeyPair;
}

/** Reads a key pair kept in a file; undefined when there is none. */
export function readKeyPair(file: string): SigningKeyPair | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SigningKeyPair) : undefined;
}
