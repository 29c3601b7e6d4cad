// An HTTP client that signs every request the way the gateway expects (and the way the gateway
// signs its own calls to partners): undici with explicit timeouts and connection reuse.
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import type { SigningKeyPair } from './keys.ts';
import { signRequest } from './request-token.ts';

export interface SignedClientOptions {
  baseUrl: string;
  issuer: string;
  key: SigningKeyPair;
  audience: string;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  connectionsMax?: number;
}

export interface SignedResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  json<T = unknown>(): T;
}

export interface SignedCall {
  method: string;
  /** Path and query, e.g. `/v1/partner`. */
  path: string;
  body?: unknown;
  /** POSTs get a fresh key unless one is given; give one to make a retry safe. */
  idempotencyKey?: string;
  headers?: Record<string, string>;
}

export function createSignedClient(options: SignedClientOptions) {
  const dispatcher = new Agent({
    connect: { timeout: options.connectTimeoutMs ?? 5_000 },
    headersTimeout: options.headersTimeoutMs ?? 15_000,
    bodyTimeout: options.bodyTimeoutMs ?? 15_000,
    connections: options.connectionsMax ?? 16,
    keepAliveTimeout: 4_000,
  });

  async function call(input: SignedCall): Promise<SignedResponse> {
    const method = input.method.toUpperCase();
    const body = input.body === undefined ? '' : JSON.stringify(input.body);
    const token = await signRequest({
      privateJwk: options.key.privateJwk,
      kid: options.key.kid,
      alg: options.key.alg,
      issuer: options.issuer,
      audience: options.audience,
      method,
      path: input.path,
      body,
    });
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...input.headers };
    if (body !== '') headers['content-type'] = 'application/json';
    if (method === 'POST') headers['idempotency-key'] = input.idempotencyKey ?? randomUUID();
    const response = await request(new URL(input.path, options.baseUrl), {
      method: method as 'GET',
      headers,
      body: body === '' ? null : body,
      dispatcher,
    });
    const text = await response.body.text();
    const flatHeaders = Object.fromEntries(
      Object.entries(response.headers).map(([name, value]) => [
        name,
        Array.isArray(value) ? value.join(', ') : String(value),
      ]),
    );
    return { status: response.statusCode, headers: flatHeaders, text, json: <T>() => JSON.parse(text) as T };
  }

  return { call, close: () => dispatcher.close() };
}

export type SignedClient = ReturnType<typeof createSignedClient>;
