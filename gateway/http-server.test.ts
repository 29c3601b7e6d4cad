// Requests Node's HTTP parser refuses before the app sees them still get problem+json with a request
// id: a control character in a header, headers over the limit, a request line that is not HTTP.
// Method: raw bytes over a socket to the gateway served as in production.
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestGateway } from '../test/support/gateway.ts';
import { listenGateway } from './http-server.ts';

const gateway = await createTestGateway();
const server = await listenGateway(gateway.app, { hostname: '127.0.0.1', port: 0 });
afterAll(() => server.close());

interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: string;
}

function sendRaw(bytes: string): Promise<RawResponse> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.end(bytes, 'latin1'));
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = received.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const headers = new Map(
        headerLines.map((line) => [
          line.slice(0, line.indexOf(':')).toLowerCase(),
          line.slice(line.indexOf(':') + 1).trim(),
        ]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
  });
}

async function expectProblem(response: RawResponse, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const problem = JSON.parse(response.body) as {
    code: string;
    requestId: string;
    errors?: { field: string }[];
  };
  expect(problem.code).toBe(code);
  expect(problem.requestId).toBe(response.headers.get('x-request-id'));
  expect(problem.requestId.length).toBeGreaterThan(0);
  return problem;
}

describe('requests the HTTP parser refuses', () => {
  it('answers a control character in a header as a 400 naming the header', async () => {
    const response = await sendRaw('GET /v1/partner HTTP/1.1\r\nHost: x\r\nX-Trace: a\u0001b\r\n\r\n');
    const problem = await expectProblem(response, 400, 'validation_failed');
    expect(problem.errors?.[0]?.field).toBe('header.X-Trace');
  });

  it('answers headers over the limit as a 431', async () => {
    const response = await sendRaw(
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    await expectProblem(response, 431, 'request_headers_too_large');
  });

  it('answers a request line that is not HTTP as a 400', async () => {
    await expectProblem(await sendRaw('NOT HTTP AT ALL\r\n\r\n'), 400, 'malformed_request');
  });

  it('still serves well-formed requests', async () => {
    const response = await sendRaw('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(response.status).toBe(200);
  });
});

describe('the body size limit, over HTTP', () => {
  const limit = 64 * 1024; // test/support/gateway.ts
  const post = (headers: string, body: string) =>
    sendRaw(
      `POST /v1/quotes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n${headers}\r\n${body}`,
    );
  const chunked = (body: string) => `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
  const json = (size: number) => JSON.stringify({ memberId: 'x'.repeat(size) });

  it('answers 413 for a declared length over the limit, and for a chunked body that grows past it', async () => {
    const large = json(limit + 10);
    await expectProblem(await post(`Content-Length: ${large.length}\r\n`, large), 413, 'payload_too_large');
    await expectProblem(
      await post('Transfer-Encoding: chunked\r\n', chunked(large)),
      413,
      'payload_too_large',
    );
  });

  it('lets a body within the limit through to the signature check, declared or chunked', async () => {
    const small = json(100);
    await expectProblem(await post(`Content-Length: ${small.length}\r\n`, small), 401, 'signature_missing');
    await expectProblem(
      await post('Transfer-Encoding: chunked\r\n', chunked(small)),
      401,
      'signature_missing',
    );
  });
});
