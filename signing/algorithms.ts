// The signature algorithms accepted on signed requests and webhooks. RS256 and PS256 cover the RSA2
// keys that Chinese payment platforms issue; ES256 and EdDSA (Ed25519) are the modern choices.
// Symmetric algorithms and `none` are never accepted: a partner's key must not be a shared secret.
export const signingAlgorithms = ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'] as const;

export type SigningAlgorithm = (typeof signingAlgorithms)[number];

export function isSigningAlgorithm(value: unknown): value is SigningAlgorithm {
  return typeof value === 'string' && (signingAlgorithms as readonly string[]).includes(value);
}

/** RSA keys shorter than this are refused when registered. */
export const rsaModulusLengthMinBits = 2048;
