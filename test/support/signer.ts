// A caller with a key pair: signs requests the way a partner's integration (or the operator) would.
import type { JWK } from 'jose';
import type { SigningAlgorithm } from '../../signing/algorithms.ts';
import { generateSigningKeyPair, type SigningKeyPair } from '../../signing/keys.ts';
import { type SignRequestInput, signRequest } from '../../signing/request-token.ts';

export const testAudience = 'points-alliance-gateway';

export interface Signer {
  issuer: string;
  key: SigningKeyPair;
  sign(method: string, path: string, body?: string, overrides?: Partial<SignRequestInput>): Promise<string>;
}

export async function createSigner(issuer: string, alg: SigningAlgorithm = 'ES256'): Promise<Signer> {
  const key = await generateSigningKeyPair(alg);
  return signerFor(issuer, key);
}

export function signerFor(issuer: string, key: SigningKeyPair): Signer {
  return {
    issuer,
    key,
    sign: (method, path, body = '', overrides = {}) =>
      signRequest({
        privateJwk: key.privateJwk,
        kid: key.kid,
        alg: key.alg,
        issuer,
        audience: testAudience,
        method,
        path,
        body,
        ...overrides,
      }),
  };
}

export function publicKeys(...signers: Signer[]): JWK[] {
  return signers.map((signer) => signer.key.publicJwk);
}
