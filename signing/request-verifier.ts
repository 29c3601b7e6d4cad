// Verifies a signed request: the JWT's signature against the issuer's registered keys, then that it
// is short-lived, meant for this gateway, bound to this method, path and body, and used only once.
// Every refusal has its own problem code, so a partner engineer can tell what to fix.
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, type JWK, jwtVerify } from 'jose';
import { ProblemError } from '../domain/errors.ts';
import { isSigningAlgorithm, signingAlgorithms } from './algorithms.ts';
import { bodySha256 } from './request-token.ts';

export interface IssuerKeys {
  status: 'active' | 'suspended';
  keys: JWK[];
}

export interface RequestVerifierOptions {
  /** Who the tokens must be meant for; a function when it is only known after start-up. */
  audience: string | (() => string);
  lifetimeMaxSeconds: number;
  clockSkewSeconds: number;
  resolveIssuer(issuer: string): Promise<IssuerKeys | undefined>;
  /** Records the jti until expiresAt; false when it was seen before. */
  recordNonce(issuer: string, jti: string, expiresAt: Date): Promise<boolean>;
}

export interface SignedRequest {
  authorization: string | undefined;
  method: string;
  /** Path and query as received. */
  path: string;
  body: Uint8Array;
  nowSeconds?: number;
  /**
   * The caller records the jti itself, in the same statement as its own first write (the gateway
   * claims it with the request's Idempotency-Key), so the verifier leaves it unrecorded.
   */
  jtiRecordedByCaller?: boolean;
}

export interface VerifiedCaller {
  issuer: string;
  kid: string;
  jti: string;
  /**
   * The last instant the token is accepted (its exp, plus the clock skew the check tolerates): the
   * jti must be kept until then, or a replay after its row was pruned would pass.
   */
  expiresAt: Date;
}

/**
 * jose's local key set keeps the keys it imported; building one per request would import (and pay
 * for) every key again. One set per key list, for as long as the caller keeps handing the same list.
 */
const keySets = new WeakMap<JWK[], ReturnType<typeof createLocalJWKSet>>();
function keySetFor(keys: JWK[]): ReturnType<typeof createLocalJWKSet> {
  let keySet = keySets.get(keys);
  if (!keySet) {
    keySet = createLocalJWKSet({ keys });
    keySets.set(keys, keySet);
  }
  return keySet;
}

const requiredClaims = ['iss', 'aud', 'iat', 'exp', 'jti', 'method', 'path', 'body_sha256'];

function refuse(code: ConstructorParameters<typeof ProblemError>[0], detail: string): never {
  throw new ProblemError(code, detail);
}

/** The refusal of a token whose jti was seen before, wherever the jti is recorded. */
export function refuseReplay(jti: string): never {
  refuse('signature_replayed', `The jti ${jti} was already used; sign each request anew.`);
}

function readBearer(authorization: string | undefined): string {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1])
    refuse('signature_missing', 'Send the signed request token as `Authorization: Bearer <jwt>`.');
  return match[1];
}

function readHeaderAndIssuer(token: string): { alg: string; kid: string; issuer: string } {
  let header: ReturnType<typeof decodeProtectedHeader>;
  let payload: ReturnType<typeof decodeJwt>;
  try {
    header = decodeProtectedHeader(token);
    payload = decodeJwt(token);
  } catch {
    refuse('signature_malformed', 'The Authorization token is not a compact JWS with a JSON payload.');
  }
  if (!isSigningAlgorithm(header.alg)) {
    refuse(
      'signature_algorithm_refused',
      `alg ${String(header.alg)} is refused; use one of ${signingAlgorithms.join(', ')}.`,
    );
  }
  if (typeof header.kid !== 'string' || header.kid === '') {
    refuse('signature_key_unknown', 'The JWT header has no kid naming the signing key.');
  }
  if (typeof payload.iss !== 'string' || payload.iss === '') {
    refuse('signature_claims_missing', 'The JWT has no iss claim naming the caller.');
  }
  return { alg: header.alg, kid: header.kid, issuer: payload.iss };
}

function translateJoseError(error: unknown): never {
  if (error instanceof errors.JWTExpired)
    refuse('signature_expired', 'The token has expired; sign a new one.');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing')
      refuse('signature_claims_missing', `The ${error.claim} claim is missing.`);
    if (error.claim === 'aud')
      refuse('signature_audience_mismatch', 'The aud claim does not name this gateway.');
    if (error.claim === 'nbf' || error.claim === 'iat') {
      refuse(
        'signature_not_yet_valid',
        `The ${error.claim} claim is in the future; check the signer's clock.`,
      );
    }
    refuse('signature_malformed', `The ${error.claim} claim is not valid: ${error.message}`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    refuse('signature_invalid', 'The signature does not verify with the registered key.');
  }
  if (error instanceof errors.JWKSNoMatchingKey)
    refuse('signature_key_unknown', 'No registered key matches kid and alg.');
  if (error instanceof errors.JOSEAlgNotAllowed)
    refuse('signature_algorithm_refused', 'The alg is not accepted.');
  if (error instanceof errors.JOSEError)
    refuse('signature_malformed', `The token is not valid: ${error.message}`);
  throw error;
}

export function createRequestVerifier(options: RequestVerifierOptions) {
  return async function verifySignedRequest(request: SignedRequest): Promise<VerifiedCaller> {
    const token = readBearer(request.authorization);
    const { kid, issuer } = readHeaderAndIssuer(token);
    const issuerKeys = await options.resolveIssuer(issuer);
    if (!issuerKeys) refuse('signature_key_unknown', `No keys are registered for issuer ${issuer}.`);
    if (!issuerKeys.keys.some((key) => key.kid === kid)) {
      refuse('signature_key_unknown', `Issuer ${issuer} has no active key ${kid}.`);
    }
    const nowSeconds = request.nowSeconds ?? Math.floor(Date.now() / 1000);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, keySetFor(issuerKeys.keys), {
        audience: typeof options.audience === 'function' ? options.audience() : options.audience,
        algorithms: [...signingAlgorithms],
        clockTolerance: options.clockSkewSeconds,
        maxTokenAge: options.lifetimeMaxSeconds,
        requiredClaims,
        currentDate: new Date(nowSeconds * 1000),
      }));
    } catch (error) {
      translateJoseError(error);
    }
    const issuedAt = Number(payload.iat);
    const expiresAt = Number(payload.exp);
    if (expiresAt - issuedAt > options.lifetimeMaxSeconds) {
      refuse('signature_lifetime_too_long', `exp may be at most ${options.lifetimeMaxSeconds} s after iat.`);
    }
    if (payload.method !== request.method.toUpperCase()) {
      refuse(
        'signature_method_mismatch',
        `The token was signed for ${String(payload.method)}, not ${request.method}.`,
      );
    }
    if (payload.path !== request.path) {
      refuse(
        'signature_path_mismatch',
        `The token was signed for ${String(payload.path)}, not ${request.path}.`,
      );
    }
    if (payload.body_sha256 !== bodySha256(request.body)) {
      refuse('signature_body_mismatch', 'body_sha256 is not the SHA-256 (base64url) of the body received.');
    }
    if (issuerKeys.status !== 'active') refuse('partner_suspended', `Partner ${issuer} is suspended.`);
    const acceptedUntil = new Date((expiresAt + options.clockSkewSeconds) * 1000);
    const caller = { issuer, kid, jti: String(payload.jti), expiresAt: acceptedUntil };
    if (!request.jtiRecordedByCaller && !(await options.recordNonce(issuer, caller.jti, caller.expiresAt))) {
      refuseReplay(caller.jti);
    }
    return caller;
  };
}

export type RequestVerifier = ReturnType<typeof createRequestVerifier>;
