// The key pairs handed out as sandbox credentials are derived, not drawn: an Ed25519 seed is the
// HMAC of the live partner's id and the operator's Idempotency-Key under a secret of the sandbox's.
// So a request retried after a crash (the sandbox registered the key, the live gateway had not yet
// stored its answer) is answered with the same key, and no private key is kept anywhere to make
// that so. Another Idempotency-Key gives another key; the secret never leaves this process.
import { createHmac, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { readOrCreateFile } from '../runtime/file-created-once.ts';
import type { SigningKeyPair } from '../signing/keys.ts';

/** The DER prefix of a PKCS #8 Ed25519 private key; the 32-byte seed follows it (RFC 8410). */
const ed25519Pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
const secretBytes = 32;

export async function deriveCredentialKey(
  secret: Buffer,
  input: { livePartnerId: string; requestKey: string },
): Promise<SigningKeyPair> {
  if (secret.length < secretBytes) throw new Error('the sandbox credential secret is too short');
  const seed = createHmac('sha256', secret)
    .update(`sandbox-credentials\n${input.livePartnerId}\n${input.requestKey}`)
    .digest();
  const privateKey = createPrivateKey({
    key: Buffer.concat([ed25519Pkcs8Prefix, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = privateKey.export({ format: 'jwk' }) as JWK;
  return {
    kid,
    alg: 'EdDSA',
    privateJwk: { ...privateJwk, kid, alg: 'EdDSA', use: 'sig' },
    publicJwk: { ...publicJwk, kid, alg: 'EdDSA', use: 'sig' },
  };
}

/**
 * Reads the secret kept in a file, or makes one and keeps it there (readable by its owner only); of
 * processes starting at once, all keep the one secret the first of them made, so that the keys they
 * derive agree.
 */
export async function loadOrCreateSecret(file: string): Promise<Buffer> {
  const text = await readOrCreateFile(file, () => `${randomBytes(secretBytes).toString('hex')}\n`);
  return Buffer.from(text.trim(), 'hex');
}
