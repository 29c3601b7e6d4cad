// The signed client's limits against a real local server: a whole-call deadline that a partner
// dripping its answer a byte at a time cannot stretch (undici's own timeouts restart with every
// chunk), a cap on the answer's size, and a base URL whose path prefixes every call's.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from './keys.ts';
import { createSignedClient, SignedCallAborted, SignedResponseTooLarge } from './signed-client.ts';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;
let handle: Handler = (_request, response) => response.end('{}');
const server = createServer((request, response) => handle(request, response));
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const key = await generateSigningKeyPair('ES256');
const clients: { close(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  server.closeAllConnections();
  server.close();
});

function client(options: { baseUrl?: string; callTimeoutMs?: number; maxResponseBytes?: number } = {}) {
  const made = createSignedClient({
    baseUrl: origin,
    issuer: 'points-alliance-gateway',
    key,
    audience: 'ptn_limits',
    connectTimeoutMs: 2_000,
    headersTimeoutMs: 2_000,
    bodyTimeoutMs: 2_000,
    ...options,
  });
  clients.push(made);
  return made;
}

/** Headers at once, then a byte a second for 20 seconds: each chunk restarts undici's body timeout. */
function dripFor20Seconds(seen: { finished: boolean; closedEarly: boolean }): Handler {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"a":"');
    const drip = setInterval(() => response.write('x'), 1_000);
    const end = setTimeout(() => {
      clearInterval(drip);
      seen.finished = true;
      response.end('"}');
    }, 20_000);
    response.on('close', () => {
      clearInterval(drip);
      clearTimeout(end);
      if (!seen.finished) seen.closedEarly = true;
    });
  };
}

describe('a signed call', () => {
  it('is aborted at its deadline while the answer drips in, and the connection is closed', async () => {
    const seen = { finished: false, closedEarly: false };
    handle = dripFor20Seconds(seen);
    const call = client({ callTimeoutMs: 2_500 }).call({ method: 'GET', path: '/loyalty/accounts/x' });
    await expect(call).rejects.toBeInstanceOf(SignedCallAborted);
    expect(seen.finished).toBe(false);
    await expect.poll(() => seen.closedEarly, { timeout: 5_000 }).toBe(true);
  });

  it("is ended by the caller's own signal too", async () => {
    const seen = { finished: false, closedEarly: false };
    handle = dripFor20Seconds(seen);
    const cancel = new AbortController();
    const call = client({ callTimeoutMs: 15_000 }).call({
      method: 'GET',
      path: '/loyalty/accounts/x',
      signal: cancel.signal,
    });
    setTimeout(() => cancel.abort(), 500);
    await expect(call).rejects.toBeInstanceOf(SignedCallAborted);
    expect(seen.finished).toBe(false);
  });

  it('refuses an answer bigger than its cap, declared or streamed', async () => {
    const big = Buffer.alloc(64 * 1024, 'x');
    handle = (request, response) => {
      const chunked = request.url?.includes('chunked');
      response.writeHead(200, chunked ? {} : { 'content-length': String(big.length * 80) });
      let sent = 0;
      const more = () => {
        while (sent < 80 && !response.destroyed) {
          sent += 1;
          if (!response.write(big)) return void response.once('drain', more);
        }
        response.end();
      };
      more();
    };
    const capped = client({ maxResponseBytes: 4 * 1024 * 1024 });
    for (const path of ['/declared', '/chunked']) {
      await expect(capped.call({ method: 'GET', path })).rejects.toBeInstanceOf(SignedResponseTooLarge);
    }
    const answer = await capped.call({ method: 'GET', path: '/chunked', maxResponseBytes: 8 * 1024 * 1024 });
    expect(answer.text.length).toBe(big.length * 80);
  });
});

describe("a base URL's path", () => {
  it('prefixes every call, with or without a trailing slash, query kept, and is signed as sent', async () => {
    const received: { url: string; signedPath: unknown }[] = [];
    handle = (request, response) => {
      const token = request.headers.authorization?.slice('Bearer '.length) ?? '';
      received.push({ url: request.url ?? '', signedPath: decodeJwt(token).path });
      response.end('{}');
    };
    for (const baseUrl of [`${origin}/alliance`, `${origin}/alliance/`]) {
      await client({ baseUrl }).call({ method: 'POST', path: '/loyalty/reservations?x=1', body: {} });
    }
    await client().call({ method: 'GET', path: '/loyalty/operations/k' });
    expect(received).toEqual([
      { url: '/alliance/loyalty/reservations?x=1', signedPath: '/alliance/loyalty/reservations?x=1' },
      { url: '/alliance/loyalty/reservations?x=1', signedPath: '/alliance/loyalty/reservations?x=1' },
      { url: '/loyalty/operations/k', signedPath: '/loyalty/operations/k' },
    ]);
  });
});
