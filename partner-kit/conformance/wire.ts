// Raw HTTP to the partner's system, for the calls the gateway's adapter never makes: unsigned ones,
// ones signed with a key the partner does not know, a token meant for another body or partner. The
// token itself comes from the gateway's own signer (signing/request-token.ts).
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import type { SigningKeyPair } from '../../signing/keys.ts';
import { signRequest } from '../../signing/request-token.ts';
import { callUrl } from '../../signing/signed-client.ts';

export interface WireAnswer {
  status: number;
  text: string;
  /** The body as JSON, when it is JSON. */
  body: unknown;
}

export interface WireCall {
  method: 'GET' | 'POST';
  /** Path and query, e.g. `/loyalty/credits`. */
  path: string;
  body?: unknown;
  /** The whole Authorization header; absent: none is sent. */
  authorization?: string;
  idempotencyKey?: string;
}

export interface TokenOptions {
  key: SigningKeyPair;
  /** The kid the token names; the key's own by default. */
  kid?: string;
  issuer: string;
  audience: string;
  method: string;
  path: string;
  /** The body the token is signed for (not necessarily the one sent). */
  body: unknown;
  nowSeconds?: number;
  lifetimeSeconds?: number;
}

export interface Wire {
  send(call: WireCall): Promise<WireAnswer>;
  /** A signed-request token, as the gateway makes one (or, with other options, as it never would). */
  token(options: TokenOptions): Promise<string>;
  close(): Promise<void>;
}

export const bodyText = (body: unknown): string => (body === undefined ? '' : JSON.stringify(body));

export function createWire(options: { baseUrl: string; callTimeoutMs: number }): Wire {
  // Under the base URL's own path, as the gateway's adapter calls it, and signed as sent.
  const sentPath = (path: string) => {
    const url = callUrl(options.baseUrl, path);
    return `${url.pathname}${url.search}`;
  };
  const dispatcher = new Agent({
    connect: { timeout: Math.min(options.callTimeoutMs, 5_000) },
    headersTimeout: options.callTimeoutMs,
    bodyTimeout: options.callTimeoutMs,
    connections: 4,
  });
  return {
    async send(call) {
      const body = bodyText(call.body);
      const headers: Record<string, string> = {};
      if (call.authorization !== undefined) headers.authorization = call.authorization;
      if (body !== '') headers['content-type'] = 'application/json';
      if (call.method === 'POST') headers['idempotency-key'] = call.idempotencyKey ?? randomUUID();
      const response = await request(callUrl(options.baseUrl, call.path), {
        method: call.method,
        headers,
        body: body === '' ? null : body,
        dispatcher,
      });
      const text = await response.body.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.statusCode, text, body: parsed };
    },
    token: (token) =>
      signRequest({
        privateJwk: token.key.privateJwk,
        kid: token.kid ?? token.key.kid,
        alg: token.key.alg,
        issuer: token.issuer,
        audience: token.audience,
        method: token.method,
        path: sentPath(token.path),
        body: bodyText(token.body),
        ...(token.nowSeconds === undefined ? {} : { nowSeconds: token.nowSeconds }),
        ...(token.lifetimeSeconds === undefined ? {} : { lifetimeSeconds: token.lifetimeSeconds }),
      }),
    close: () => dispatcher.close(),
  };
}

/** How an answer reads in a rule's line: `401 signature_refused`. */
export function describeWireAnswer(answer: WireAnswer): string {
  const code = (answer.body as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? `${answer.status} ${code}` : String(answer.status);
}
