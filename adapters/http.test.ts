// The HTTP adapter reads a partner's answer about a step's outcome strictly: only the contract's two
// states, for the key asked, decide anything; any other answer is a fault, so the question is asked
// again rather than read as a void's or a post's go-ahead. A bare HTTP server answers as told. And
// each call is bounded: in time as a whole, however slowly the answer comes, and in size.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '../signing/keys.ts';
import { createHttpAdapter } from './http.ts';
import { PartnerUnavailableError } from './loyalty-adapter.ts';

let answer: unknown = {};
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(answer));
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const partner = createHttpAdapter({
  baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  partnerId: 'ptn_outcomes',
  gatewayIssuer: 'points-alliance-gateway',
  gatewayKey: await generateSigningKeyPair('ES256'),
  callTimeoutMs: 2_000,
});
afterAll(async () => {
  await partner.close();
  server.close();
});

describe("a partner's answer about a step's outcome", () => {
  it('decides with the states of the contract, for the key asked', async () => {
    answer = { key: 'trf_1:credit', state: 'succeeded' };
    expect(await partner.outcome('trf_1:credit')).toBe('succeeded');
    answer = { key: 'trf_1:credit', state: 'abandoned' };
    expect(await partner.outcome('trf_1:credit')).toBe('abandoned');
  });

  it('is a fault when the state is another, missing, or about another key', async () => {
    for (const told of [
      { key: 'trf_1:credit', state: 'pending' },
      { key: 'trf_1:credit' },
      { key: 'trf_2:credit', state: 'succeeded' },
    ]) {
      answer = told;
      await expect(partner.outcome('trf_1:credit')).rejects.toBeInstanceOf(PartnerUnavailableError);
    }
  });
});

// A second server, answering each test its own way, at a base URL with a path of its own.
let handle = (_request: IncomingMessage, response: ServerResponse) => void response.end('{}');
const slowServer = createServer((request, response) => handle(request, response));
slowServer.listen(0, '127.0.0.1');
await once(slowServer, 'listening');
const prefixed = createHttpAdapter({
  baseUrl: `http://127.0.0.1:${(slowServer.address() as AddressInfo).port}/alliance/v2`,
  partnerId: 'ptn_slow',
  gatewayIssuer: 'points-alliance-gateway',
  gatewayKey: await generateSigningKeyPair('ES256'),
  callTimeoutMs: 2_000,
});
afterAll(async () => {
  await prefixed.close();
  slowServer.closeAllConnections();
  slowServer.close();
});

describe('a call to a partner', () => {
  it("goes under the path of the partner's loyalty API URL", async () => {
    const paths: string[] = [];
    handle = (request, response) => {
      paths.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ availablePoints: '5', postedPoints: '5', key: 'k', state: 'succeeded' }));
    };
    await prefixed.balance('acct 1');
    await prefixed.outcome('k');
    expect(paths).toEqual(['/alliance/v2/loyalty/accounts/acct%201', '/alliance/v2/loyalty/operations/k']);
  });

  it('is a fault once its time is up, however steadily the answer drips in', async () => {
    const seen = { finished: false, closedEarly: false };
    handle = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"availablePoints":"');
      // Each byte comes well within the 2-second body timeout, which restarts with it.
      const drip = setInterval(() => response.write('1'), 1_000);
      const end = setTimeout(() => {
        seen.finished = true;
        response.end('","postedPoints":"1"}');
      }, 20_000);
      response.on('close', () => {
        clearInterval(drip);
        clearTimeout(end);
        if (!seen.finished) seen.closedEarly = true;
      });
    };
    await expect(prefixed.balance('acct')).rejects.toBeInstanceOf(PartnerUnavailableError);
    expect(seen.finished).toBe(false);
    await expect.poll(() => seen.closedEarly, { timeout: 5_000 }).toBe(true);
  });

  it('is a fault when its answer is bigger than the cap, but a catalog page may be bigger', async () => {
    // Six MiB: past the client's default cap, well within a catalog page's.
    const items = Array.from({ length: 300 }, (_, index) => ({
      externalRef: `i${index}`,
      junk: 'x'.repeat(21_000),
    }));
    handle = (request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify(
          request.url?.includes('/catalog')
            ? { items, nextCursor: null }
            : { availablePoints: '1', postedPoints: '1', junk: items },
        ),
      );
    };
    await expect(prefixed.balance('acct')).rejects.toBeInstanceOf(PartnerUnavailableError);
    const feed = await prefixed.catalog('prg_1');
    expect((feed?.items.length ?? 0) + (feed?.unreadable.length ?? 0)).toBe(300);
  });
});
