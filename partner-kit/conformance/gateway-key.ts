// The gateway's private signing key, from a file in any of the shapes the project keeps it in: the
// key pair `npm start` writes (.data/keys/gateway.json), a private JWKS (GATEWAY_PRIVATE_JWKS: its
// first key signs), or a single private JWK. A JWK without a kid gets its RFC 7638 thumbprint, as the
// gateway's own keys do.
import { readFileSync } from 'node:fs';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { gatewayKeysFromJwks } from '../../runtime/signing-keys.ts';
import { type SigningKeyPair, toPublicJwk } from '../../signing/keys.ts';

export async function parseGatewayKey(json: unknown): Promise<SigningKeyPair> {
  const value = json as { privateJwk?: JWK; keys?: JWK[] } & JWK;
  if (value.privateJwk) return gatewayKeysFromJwks({ keys: [await withKid(value.privateJwk)] }).signing;
  if (Array.isArray(value.keys)) {
    const [first, ...rest] = value.keys;
    if (!first) throw new Error('the JWKS has no key');
    return gatewayKeysFromJwks({ keys: [await withKid(first), ...rest] as Record<string, unknown>[] })
      .signing;
  }
  if (typeof value.d === 'string') return gatewayKeysFromJwks({ keys: [await withKid(value)] }).signing;
  throw new Error(
    'not a private key: expected a private JWK, a JWKS whose first key is private, or a key pair file',
  );
}

export async function readGatewayKey(file: string): Promise<SigningKeyPair> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the gateway's key from ${file}: ${(error as Error).message}`);
  }
  try {
    return await parseGatewayKey(json);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

async function withKid(jwk: JWK): Promise<Record<string, unknown>> {
  return { ...jwk, kid: jwk.kid ?? (await calculateJwkThumbprint(toPublicJwk(jwk))) };
}
