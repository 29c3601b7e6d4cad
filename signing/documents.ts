// Documents the gateway signs for partners to keep (settlement statements): a compact JWS over the
// document's JSON, signed with the gateway's key, so anyone with the keys published at
// /.well-known/jwks.json can verify it offline with any JOSE library.
import { CompactSign, compactVerify, createLocalJWKSet, importJWK, type JSONWebKeySet } from 'jose';
import type { SigningKeyPair } from './keys.ts';

const documentType = 'application/vnd.points-alliance.statement+json';

// Importing a key costs more than a signature: a close signs every partner's statement with one key.
const importedKeys = new WeakMap<SigningKeyPair, ReturnType<typeof importJWK>>();

function privateKeyOf(key: SigningKeyPair): ReturnType<typeof importJWK> {
  let imported = importedKeys.get(key);
  if (!imported) {
    imported = importJWK(key.privateJwk, key.alg);
    importedKeys.set(key, imported);
  }
  return imported;
}

export async function signDocument(key: SigningKeyPair, document: unknown): Promise<string> {
  const privateKey = await privateKeyOf(key);
  return new CompactSign(new TextEncoder().encode(JSON.stringify(document)))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, cty: documentType })
    .sign(privateKey);
}

/** The document a JWS carries, once its signature verifies against the key set; throws otherwise. */
export async function verifyDocument(jws: string, keys: JSONWebKeySet): Promise<unknown> {
  const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet(keys));
  if (protectedHeader.cty !== documentType)
    throw new Error(`not a statement (content type ${protectedHeader.cty})`);
  return JSON.parse(new TextDecoder().decode(payload)) as unknown;
}
