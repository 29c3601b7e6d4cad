// An HTTP client that signs every request the way the gateway expects (and the way the gateway
// signs its own calls to partners): undici with explicit timeouts and connection reuse.
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import type { SigningKeyPair } from './keys.ts';
import { signRequest } from './request-token.ts';

export interface SignedClientOptions {
  /** Where the calls go; a path in it (`https://p.example/alliance`) prefixes every call's path. */
  baseUrl: string;
  issuer: string;
  key: SigningKeyPair;
  audience: string;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /**
   * The whole call, from connecting to the last byte of the answer. The other timeouts restart with
   * every chunk, so without this a server dripping a byte at a time holds the call open for ever.
   */
  callTimeoutMs?: number;
  /** The largest answer read; a bigger one is a fault rather than memory spent without end. */
  maxResponseBytes?: number;
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
  /** Path and query, e.g. `/v1/partner`, under the base URL's own path. */
  path: string;
  body?: unknown;
  /** POSTs get a fresh key unless one is given; give one to make a retry safe. */
  idempotencyKey?: string;
  headers?: Record<string, string>;
  /** Ends the call early as well (an activity cancelled); the client's deadline holds regardless. */
  signal?: AbortSignal;
  /** This call's own cap, for the rare answer legitimately bigger than the client's. */
  maxResponseBytes?: number;
  /** This call's own deadline, for an answer that legitimately takes longer to send (a big one). */
  callTimeoutMs?: number;
}

/** The call did not end within its deadline, or was cancelled: a fault, as any unanswered call. */
export class SignedCallAborted extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SignedCallAborted';
  }
}

/** The answer was bigger than the cap; what it said is unknown. */
export class SignedResponseTooLarge extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignedResponseTooLarge';
  }
}

export const defaultCallTimeoutMs = 30_000;
export const defaultMaxResponseBytes = 4 * 1024 * 1024;

/**
 * The base URL's path kept as a prefix: `new URL('/loyalty/x', 'https://p.example/alliance')` would
 * drop `/alliance`. Joined as text, so a path starting `//` cannot name another host.
 */
export function callUrl(baseUrl: string, path: string): URL {
  const base = new URL(baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  return new URL(`${base.origin}${prefix}${path.startsWith('/') ? '' : '/'}${path}`);
}

async function readCapped(body: AsyncIterable<Uint8Array>, capBytes: number, what: string): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > capBytes) throw new SignedResponseTooLarge(`${what} answered more than ${capBytes} bytes`);
    chunks.push(chunk);
  }
  return new TextDecoder().decode(Buffer.concat(chunks, size));
}

export function createSignedClient(options: SignedClientOptions) {
  const dispatcher = new Agent({
    connect: { timeout: options.connectTimeoutMs ?? 5_000 },
    headersTimeout: options.headersTimeoutMs ?? 15_000,
    bodyTimeout: options.bodyTimeoutMs ?? 15_000,
    connections: options.connectionsMax ?? 16,
    keepAliveTimeout: 4_000,
  });
  const callTimeoutMs = options.callTimeoutMs ?? defaultCallTimeoutMs;

  async function call(input: SignedCall): Promise<SignedResponse> {
    const method = input.method.toUpperCase();
    const url = callUrl(options.baseUrl, input.path);
    // Signed as sent: the receiver checks the path it was called at, prefix included.
    const sentPath = `${url.pathname}${url.search}`;
    const what = `${method} ${sentPath}`;
    const body = input.body === undefined ? '' : JSON.stringify(input.body);
    const token = await signRequest({
      privateJwk: options.key.privateJwk,
      kid: options.key.kid,
      alg: options.key.alg,
      issuer: options.issuer,
      audience: options.audience,
      method,
      path: sentPath,
      body,
    });
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...input.headers };
    if (body !== '') headers['content-type'] = 'application/json';
    if (method === 'POST') headers['idempotency-key'] = input.idempotencyKey ?? randomUUID();
    const timeoutMs = input.callTimeoutMs ?? callTimeoutMs;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = input.signal ? AbortSignal.any([deadline, input.signal]) : deadline;
    const capBytes = input.maxResponseBytes ?? options.maxResponseBytes ?? defaultMaxResponseBytes;
    try {
      const response = await request(url, {
        method: method as 'GET',
        headers,
        body: body === '' ? null : body,
        dispatcher,
        signal,
      });
      const declared = Number(response.headers['content-length']);
      if (declared > capBytes) {
        response.body.destroy();
        throw new SignedResponseTooLarge(`${what} declared ${declared} bytes, more than ${capBytes}`);
      }
      const text = await readCapped(response.body, capBytes, what).catch((error: unknown) => {
        response.body.destroy();
        throw error;
      });
      const flatHeaders = Object.fromEntries(
        Object.entries(response.headers).map(([name, value]) => [
          name,
          Array.isArray(value) ? value.join(', ') : String(value),
        ]),
      );
      return {
        status: response.statusCode,
        headers: flatHeaders,
        text,
        json: <T>() => JSON.parse(text) as T,
      };
    } catch (error) {
      if (!signal.aborted || error instanceof SignedResponseTooLarge) throw error;
      const reason = deadline.aborted ? `no whole answer within ${timeoutMs} ms` : 'cancelled';
      throw new SignedCallAborted(`${what}: ${reason}`, { cause: error });
    }
  }

  return { call, close: () => dispatcher.close() };
}

export type SignedClient = ReturnType<typeof createSignedClient>;
