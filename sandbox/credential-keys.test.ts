// A sandbox credential's key pair is derived from the live partner and the request's key: the same
// request gives the same key (so a retry after a crash answers alike), another gives another, and
// the pair signs and verifies like any EdDSA key the gateway accepts.
import { randomBytes } from 'node:crypto';
import { compactVerify, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { checkPublicJwk } from '../signing/keys.ts';
import { signRequest } from '../signing/request-token.ts';
import { deriveCredentialKey } from './credential-keys.ts';

const secret = randomBytes(32);

describe('deriveCredentialKey', () => {
  it('gives the same key pair for the same partner and request key, and another otherwise', async () => {
    const first = await deriveCredentialKey(secret, { livePartnerId: 'ptn_a', requestKey: 'k1' });
    const again = await deriveCredentialKey(secret, { livePartnerId: 'ptn_a', requestKey: 'k1' });
    expect(again).toEqual(first);
    const otherKey = await deriveCredentialKey(secret, { livePartnerId: 'ptn_a', requestKey: 'k2' });
    const otherPartner = await deriveCredentialKey(secret, { livePartnerId: 'ptn_b', requestKey: 'k1' });
    const otherSecret = await deriveCredentialKey(randomBytes(32), {
      livePartnerId: 'ptn_a',
      requestKey: 'k1',
    });
    expect(new Set([first.kid, otherKey.kid, otherPartner.kid, otherSecret.kid]).size).toBe(4);
  });

  it('makes a public key the gateway registers and a private key whose signatures it verifies', async () => {
    const pair = await deriveCredentialKey(secret, { livePartnerId: 'ptn_a', requestKey: 'k1' });
    const checked = await checkPublicJwk(pair.publicJwk as Record<string, unknown>);
    expect(checked).toMatchObject({ ok: true, jwk: { kid: pair.kid, alg: 'EdDSA', crv: 'Ed25519' } });
    expect(pair.publicJwk.d).toBeUndefined();
    const token = await signRequest({
      privateJwk: pair.privateJwk,
      kid: pair.kid,
      alg: pair.alg,
      issuer: 'ptn_a',
      audience: 'points-alliance-sandbox',
      method: 'GET',
      path: '/v1/partner',
      body: '',
    });
    const verified = await compactVerify(token, await importJWK(pair.publicJwk, 'EdDSA'));
    expect(verified.protectedHeader).toMatchObject({ alg: 'EdDSA', kid: pair.kid });
  });

  it('refuses a secret too short to keep the keys unguessable', async () => {
    await expect(
      deriveCredentialKey(randomBytes(8), { livePartnerId: 'ptn_a', requestKey: 'k1' }),
    ).rejects.toThrow(/too short/);
  });
});
