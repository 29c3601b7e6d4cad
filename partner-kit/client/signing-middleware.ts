// The openapi-fetch middleware that makes a call the way the gateway wants it: each attempt signed
// anew (every jti is accepted once), an Idempotency-Key on every POST, and a lost answer asked again
// under the same key, so a retry finds the first attempt's effect instead of making a second one.
import { randomUUID } from 'node:crypto';
import type { Middleware } from 'openapi-fetch';

/** Signs one attempt: returns the bearer token for this method, path and query, and body. */
export type RequestSigner = (request: { method: string; path: string; body: string }) => Promise<string>;

export interface RetryLimits {
  /** Attempts per call, the first included. */
  attemptsMax: number;
  /** One attempt's budget, answer included; past it the answer counts as lost. */
  attemptTimeoutMs: number;
  /** The wait before the first retry, doubled before each next one, unless Retry-After says otherwise. */
  retryDelayMs: number;
  retryDelayMaxMs: number;
}

interface PendingCall {
  url: string;
  method: string;
  headers: Headers;
  body: string;
  /** The caller's own signal: an abort by the caller is not a lost answer. */
  callerSignal: AbortSignal;
  attempts: number;
}

type Outcome = { response: Response; error?: undefined } | { response?: undefined; error: unknown };

export function signingMiddleware(input: {
  signer: RequestSigner;
  limits: RetryLimits;
  fetch: (request: Request) => Promise<Response>;
}): Middleware {
  const { signer, limits } = input;
  // onRequest, onResponse and onError of one call share its id; the body is kept to resend it.
  const pending = new Map<string, PendingCall>();

  async function signed(call: PendingCall): Promise<Request> {
    const url = new URL(call.url);
    const headers = new Headers(call.headers);
    const token = await signer({
      method: call.method,
      path: `${url.pathname}${url.search}`,
      body: call.body,
    });
    headers.set('authorization', `Bearer ${token}`);
    return new Request(call.url, {
      method: call.method,
      headers,
      ...(call.body === '' ? {} : { body: call.body }),
      signal: AbortSignal.any([call.callerSignal, AbortSignal.timeout(limits.attemptTimeoutMs)]),
    });
  }

  async function answerLost(call: PendingCall, outcome: Outcome): Promise<boolean> {
    if (call.callerSignal.aborted) return false;
    if (!outcome.response) return true;
    if (outcome.response.status >= 500) return true;
    if (outcome.response.status !== 409) return false;
    const problem = (await outcome.response
      .clone()
      .json()
      .catch(() => null)) as { code?: string } | null;
    return problem?.code === 'idempotency_request_in_progress';
  }

  function delayMs(call: PendingCall, outcome: Outcome): number {
    const retryAfterSeconds = Number(outcome.response?.headers.get('retry-after') ?? Number.NaN);
    const backoffMs = limits.retryDelayMs * 2 ** (call.attempts - 1);
    const waitMs = Number.isFinite(retryAfterSeconds) ? retryAfterSeconds * 1_000 : backoffMs;
    return Math.min(Math.max(waitMs, 0), limits.retryDelayMaxMs);
  }

  /** Asks again, same key and fresh token, while the answer is lost and attempts are left. */
  async function untilAnswered(call: PendingCall, first: Outcome): Promise<Outcome> {
    let outcome = first;
    while (call.attempts < limits.attemptsMax && (await answerLost(call, outcome))) {
      await outcome.response?.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, delayMs(call, outcome)));
      call.attempts += 1;
      try {
        outcome = { response: await input.fetch(await signed(call)) };
      } catch (error) {
        outcome = { error };
      }
    }
    return outcome;
  }

  /**
   * The headers the call was last sent with, its own token left out: a caller's middleware that runs
   * after this one adds its headers to the first attempt only, so each retry takes them from there.
   */
  function adoptSentHeaders(call: PendingCall, sent: Request): void {
    const headers = new Headers(sent.headers);
    headers.delete('authorization');
    call.headers = headers;
  }

  return {
    async onRequest({ request, id }) {
      const headers = new Headers(request.headers);
      if (request.method === 'POST' && !headers.has('idempotency-key')) {
        headers.set('idempotency-key', randomUUID());
      }
      const call: PendingCall = {
        url: request.url,
        method: request.method,
        headers,
        body: await request.text(),
        callerSignal: request.signal,
        attempts: 1,
      };
      pending.set(id, call);
      return signed(call);
    },
    async onResponse({ request, response, id }) {
      const call = pending.get(id);
      pending.delete(id);
      if (!call) return undefined;
      adoptSentHeaders(call, request);
      const outcome = await untilAnswered(call, { response });
      if (outcome.response === response) return undefined;
      if (outcome.response) return asGlobalResponse(outcome.response);
      throw outcome.error;
    },
    async onError({ request, error, id }) {
      const call = pending.get(id);
      // Whatever comes of it, onResponse (run next when a Response is returned) must not retry again.
      pending.delete(id);
      if (!call) return undefined;
      adoptSentHeaders(call, request);
      const outcome = await untilAnswered(call, { error });
      if (outcome.response) return asGlobalResponse(outcome.response);
      return outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
    },
  };
}

/**
 * openapi-fetch takes only an `instanceof Response` of the global class, which a server in the same
 * process may have replaced (@hono/node-server does): a response of fetch's own class is copied.
 */
function asGlobalResponse(response: Response): Response {
  const original: Response = response;
  if (original instanceof Response) return original;
  const { status, statusText, headers } = response;
  return new Response(response.body, { status, statusText, headers });
}
