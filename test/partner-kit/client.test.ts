// The typed client against a real gateway over real HTTP, as a partner's integration would use it:
// its first calls, a retry after a lost answer (a proxy between the two forwards the call and then
// drops the gateway's answer, or answers 503 itself), and refusals as typed problems.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { listenGateway } from '../../gateway/http-server.ts';
import {
  createGatewayClient,
  dataOrThrow,
  type GatewayClientOptions,
  GatewayProblemError,
  type Problem,
  type ProblemCode,
} from '../../partner-kit/client/index.ts';
import { type AlliancePartner, createAlliance } from '../support/alliance.ts';

const alliance = await createAlliance();
const { coffee, airline } = alliance;
const gateway = await listenGateway(alliance.gateway.app, { hostname: '127.0.0.1', port: 0 });
afterAll(() => gateway.close());
const proxy = await startProxy(gateway.url);
afterAll(() => proxy.close());

function clientOf(partner: AlliancePartner, options: Partial<GatewayClientOptions> = {}) {
  return createGatewayClient({
    baseUrl: gateway.url,
    partnerId: partner.partner.id,
    privateJwk: partner.signer.key.privateJwk,
    retryDelayMs: 20,
    ...options,
  } as GatewayClientOptions);
}

describe('a partner with the typed client', () => {
  it('reads its profile, quotes, and moves a member’s points', async () => {
    const client = clientOf(coffee);
    const member = await alliance.member({ coffee: 5_000n });

    const profile = await client.GET('/v1/partner');
    expect(profile.response.status).toBe(200);
    expect(profile.data?.id).toBe(coffee.partner.id);

    const quote = dataOrThrow(
      await client.POST('/v1/quotes', {
        body: {
          memberId: member.memberId,
          sourceProgramId: coffee.programId,
          targetProgramId: airline.programId,
          sourcePoints: '1000',
        },
      }),
    );
    expect(quote).toMatchObject({ debitPoints: '1000', creditPoints: '700' });

    const transfer = await client.POST('/v1/transfers', {
      params: { header: { 'idempotency-key': `first-call-${member.memberId}` } },
      body: { quoteId: quote.id },
    });
    expect(transfer.response.status).toBe(201);
    expect(transfer.data).toMatchObject({ quoteId: quote.id, status: 'completed' });
    expect(await alliance.balance(coffee, member)).toBe(4_000n);
    expect(await alliance.balance(airline, member)).toBe(700n);
  });

  it('gets the first answer again for the same key, without a second transfer', async () => {
    const client = clientOf(coffee);
    const member = await alliance.member({ coffee: 5_000n });
    const move = () =>
      client.POST('/v1/transfers', {
        params: { header: { 'idempotency-key': `twice-${member.memberId}` } },
        body: {
          memberId: member.memberId,
          sourceProgramId: coffee.programId,
          targetProgramId: airline.programId,
          sourcePoints: '500',
        },
      });
    const first = dataOrThrow(await move());
    const again = await move();
    expect(again.response.headers.get('idempotent-replayed')).toBe('true');
    expect(again.data?.id).toBe(first.id);
    expect(await alliance.balance(coffee, member)).toBe(4_500n);
  });
});

describe('a lost answer', () => {
  it('is asked for again under the same key with a fresh token, and the transfer happens once', async () => {
    const client = clientOf(coffee, { baseUrl: proxy.url });
    const member = await alliance.member({ coffee: 5_000n });
    proxy.plan('POST /v1/transfers', ['drop_answer']);

    const transfer = await client.POST('/v1/transfers', {
      body: {
        memberId: member.memberId,
        sourceProgramId: coffee.programId,
        targetProgramId: airline.programId,
        sourcePoints: '1000',
      },
    });
    expect(transfer.data?.status).toBe('completed');
    expect(transfer.response.headers.get('idempotent-replayed')).toBe('true');

    const attempts = proxy.seen.filter((call) => call.route === 'POST /v1/transfers');
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    // The key the middleware made for the call, on every attempt; a token of its own on each.
    expect(new Set(attempts.map((call) => call.idempotencyKey)).size).toBe(1);
    expect(attempts[0]?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(attempts.map((call) => call.authorization)).size).toBe(attempts.length);
    expect(await alliance.balance(coffee, member)).toBe(4_000n);
    expect(await alliance.balance(airline, member)).toBe(700n);
  });

  it('is asked for a bounded number of times, then the last problem is the answer', async () => {
    const client = clientOf(coffee, { baseUrl: proxy.url, attemptsMax: 3 });
    proxy.plan('GET /v1/partner', ['answer_503', 'answer_503', 'answer_503', 'answer_503']);

    const profile = await client.GET('/v1/partner');
    expect(profile.response.status).toBe(503);
    expect(profile.error?.code).toBe('dependency_unavailable');
    expect(proxy.seen.filter((call) => call.route === 'GET /v1/partner')).toHaveLength(3);
  });

  it('is asked for again with the headers the caller’s own middleware added', async () => {
    const client = clientOf(coffee, { baseUrl: proxy.url });
    client.use({
      onRequest({ request }) {
        request.headers.set('x-trace-id', 'trace-7731');
        return request;
      },
    });
    const before = proxy.seen.length;
    proxy.plan('GET /v1/partner', ['answer_503']);
    expect((await client.GET('/v1/partner')).response.status).toBe(200);
    const attempts = proxy.seen.slice(before).filter((call) => call.route === 'GET /v1/partner');
    expect(attempts.map((call) => call.trace)).toEqual(['trace-7731', 'trace-7731']);
  });
});

describe('a refusal', () => {
  it('comes back as a typed problem, and is not retried', async () => {
    const client = clientOf(coffee, { baseUrl: proxy.url });
    const member = await alliance.member({ coffee: 100n });
    const quote = await client.POST('/v1/quotes', {
      body: {
        memberId: member.memberId,
        sourceProgramId: coffee.programId,
        targetProgramId: airline.programId,
        sourcePoints: 'a thousand',
      },
    });
    expect(quote.response.status).toBe(400);
    const code: ProblemCode | undefined = quote.error?.code;
    expect(code).toBe('validation_failed');
    expect(quote.error?.errors?.map((error) => error.field)).toContain('sourcePoints');
    expect(proxy.seen.filter((call) => call.route === 'POST /v1/quotes')).toHaveLength(1);
  });

  it('is thrown by dataOrThrow with its problem', async () => {
    const stranger = clientOf(airline);
    const refused = await stranger
      .GET('/v1/transfers/{transferId}', {
        params: { path: { transferId: 'trf_01jh8x4z3e6q2v8k9m0n1p2r3z' } },
      })
      .then(dataOrThrow)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(GatewayProblemError);
    const problem: Problem | null = (refused as GatewayProblemError).problem;
    expect(problem).toMatchObject({ status: 404, code: 'not_found' });
  });
});

type ProxyAction = 'forward' | 'drop_answer' | 'answer_503';

/**
 * A proxy that forwards every call to the gateway, except as planned: `drop_answer` forwards the
 * call and closes the connection instead of passing the answer on; `answer_503` answers itself.
 */
async function startProxy(targetUrl: string) {
  const plans = new Map<string, ProxyAction[]>();
  const seen: {
    route: string;
    idempotencyKey: string | null;
    authorization: string | null;
    trace: string | null;
  }[] = [];
  const header = (request: IncomingMessage, name: string) => {
    const value = request.headers[name];
    return typeof value === 'string' ? value : null;
  };
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const route = `${request.method} ${(request.url ?? '/').split('?')[0]}`;
    seen.push({
      route,
      idempotencyKey: header(request, 'idempotency-key'),
      authorization: header(request, 'authorization'),
      trace: header(request, 'x-trace-id'),
    });
    const action = plans.get(route)?.shift() ?? 'forward';
    if (action === 'answer_503') {
      response.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '0' });
      response.end(
        JSON.stringify({
          type: 'urn:problem-type:alliance:dependency_unavailable',
          title: 'Service Unavailable',
          status: 503,
          detail: 'The proxy says the gateway is away.',
          code: 'dependency_unavailable',
          instance: request.url,
          requestId: 'proxy',
        }),
      );
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'content-type', 'idempotency-key']) {
      const value = header(request, name);
      if (value !== null) headers[name] = value;
    }
    const body = Buffer.concat(chunks);
    const answer = await fetch(`${targetUrl}${request.url}`, {
      method: request.method ?? 'GET',
      headers,
      ...(body.length > 0 ? { body } : {}),
    });
    const text = await answer.text();
    if (action === 'drop_answer') {
      request.socket.destroy();
      return;
    }
    const passed: Record<string, string> = {};
    for (const name of ['content-type', 'idempotent-replayed', 'retry-after', 'x-request-id']) {
      const value = answer.headers.get(name);
      if (value !== null) passed[name] = value;
    }
    response.writeHead(answer.status, passed);
    response.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    plan(route: string, actions: ProxyAction[]) {
      plans.set(route, [...actions]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
