// Key pairs and JWKs: generating a signing key pair, and checking that a registered public key is
// one we can verify with (right type, long enough, no private part).
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { isSigningAlgorithm, rsaModulusLengthMinBits, type SigningAlgorithm } from './algorithms.ts';

export interface SigningKeyPair {
  kid: string;
  alg: SigningAlgorithm;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** Makes a new key pair; its kid is the RFC 7638 thumbprint of the public key. */
export async function generateSigningKeyPair(alg: SigningAlgorithm = 'ES256'): Promise<SigningKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(privateKey);
  return {
    kid,
    alg,
    privateJwk: { ...privateJwk, kid, alg, use: 'sig' },
    publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
  };
}

export function toPublicJwk(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, k: _k, ...publicPart } = jwk;
  return publicPart;
}

export type PublicKeyCheck =
  | { ok: true; jwk: JWK & { kid: string; alg: SigningAlgorithm } }
  | { ok: false; reason: string };

/** Checks a public JWK a partner wants to register. */
export async function checkPublicJwk(input: Record<string, unknown>): Promise<PublicKeyCheck> {
  const jwk = input as JWK;
  if (jwk.d !== undefined || jwk.k !== undefined) return { ok: false, reason: 'the key has a private part' };
  if (!isSigningAlgorithm(jwk.alg))
    return { ok: false, reason: `alg must be one of RS256, PS256, ES256, EdDSA` };
  const expectedType = { RS256: 'RSA', PS256: 'RSA', ES256: 'EC', EdDSA: 'OKP', Ed25519: 'OKP' }[jwk.alg];
  if (jwk.kty !== expectedType) return { ok: false, reason: `alg ${jwk.alg} needs kty ${expectedType}` };
  if (jwk.kty === 'EC' && jwk.crv !== 'P-256') return { ok: false, reason: 'ES256 needs crv P-256' };
  if (jwk.kty === 'OKP' && jwk.crv !== 'Ed25519') return { ok: false, reason: 'EdDSA needs crv Ed25519' };
  if (jwk.kty === 'RSA') {
    const modulusBits = Buffer.from(String(jwk.n ?? ''), 'base64url').length * 8;
    if (modulusBits < rsaModulusLengthMinBits) {
      return { ok: false, reason: `RSA keys must be at least ${rsaModulusLengthMinBits} bits` };
    }
  }
  try {
    await importJWK(jwk, jwk.alg);
  } catch (error) {
    return { ok: false, reason: `the key cannot be imported: ${(error as Error).message}` };
  }
  const kid = typeof jwk.kid === 'string' && jwk.kid.length > 0 ? jwk.kid : await calculateJwkThumbprint(jwk);
  return { ok: true, jwk: { ...toPublicJwk(jwk), kid, alg: jwk.alg } };
}
