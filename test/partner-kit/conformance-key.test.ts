// The gateway's key reaches the conformance command in whichever shape the project keeps it: the key
// pair file npm start writes, a private JWKS (GATEWAY_PRIVATE_JWKS), or one private JWK, with or
// without a kid. Each signs a token the gateway's public key verifies.
import { calculateJwkThumbprint, createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { parseGatewayKey } from '../../partner-kit/conformance/gateway-key.ts';
import { generateSigningKeyPair } from '../../signing/keys.ts';
import { signRequest } from '../../signing/request-token.ts';

const pair = await generateSigningKeyPair('ES256');
const olderKey = await generateSigningKeyPair('EdDSA');
const { kid: _kid, ...withoutKid } = pair.privateJwk;

describe('the gateway key file', () => {
  it.each([
    ['the key pair file npm start keeps', pair],
    ['a private JWKS', { keys: [pair.privateJwk, olderKey.publicJwk] }],
    ['a private JWK', pair.privateJwk],
    ['a private JWK without a kid (its thumbprint is used)', withoutKid],
  ])('is read from %s', async (_, file) => {
    const key = await parseGatewayKey(JSON.parse(JSON.stringify(file)));

    expect(key.kid).toBe(await calculateJwkThumbprint(pair.publicJwk));
    const token = await signRequest({
      privateJwk: key.privateJwk,
      kid: key.kid,
      alg: key.alg,
      issuer: 'points-alliance-gateway',
      audience: 'ptn_x',
      method: 'GET',
      path: '/loyalty/accounts/a',
      body: '',
    });
    const verified = await jwtVerify(token, createLocalJWKSet({ keys: [pair.publicJwk] }));
    expect(verified.protectedHeader.kid).toBe(pair.kid);
  });

  it('is refused when it holds no private key', async () => {
    await expect(parseGatewayKey({ keys: [pair.publicJwk] })).rejects.toThrow(
      /first key must be a private key/,
    );
    await expect(parseGatewayKey(pair.publicJwk)).rejects.toThrow(/not a private key/);
  });
});
