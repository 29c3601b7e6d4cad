// The HTTP adapter reads a partner's answer about a step's outcome strictly: only the contract's two
// states, for the key asked, decide anything; any other answer is a fault, so the question is asked
// again rather than read as a void's or a post's go-ahead. A bare HTTP server answers as told.
import { once } from 'node:events';
import { createServer } from 'node:http';
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
