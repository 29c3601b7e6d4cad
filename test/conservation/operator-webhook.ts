// The operator's end of the conservation alert: a plain HTTP server on a free port that checks each
// request's signature as an operator would (issuer the gateway, aud `operator`, against the gateway's
// public key), answers 204 to a good one and 401 to any other (or 503, while told to be down), and
// keeps what it received.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import { afterAll } from 'vitest';
import { createRequestVerifier } from '../../signing/request-verifier.ts';

export interface ReceivedAlert {
  path: string;
  idempotencyKey: string | undefined;
  /** The verifier's refusal, or null when the signature verified. */
  refusal: string | null;
  /** What it answered. */
  status: number;
  body: { id: string; type: string; data: Record<string, unknown> };
}

export interface OperatorWebhook {
  url: string;
  received: ReceivedAlert[];
  /** Answers this many of the next requests 503, as an endpoint that is down. */
  failNext(count: number): void;
}

export async function startOperatorWebhook(input: {
  gatewayIssuer: string;
  /** Read at each request: the gateway's key is made after the server starts. */
  gatewayPublicKeys: () => JWK[];
}): Promise<OperatorWebhook> {
  const seen = new Set<string>();
  const verify = createRequestVerifier({
    audience: 'operator',
    lifetimeMaxSeconds: 300,
    clockSkewSeconds: 5,
    resolveIssuer: async (issuer) =>
      issuer === input.gatewayIssuer ? { status: 'active', keys: input.gatewayPublicKeys() } : undefined,
    recordNonce: async (issuer, jti) => {
      if (seen.has(`${issuer} ${jti}`)) return false;
      seen.add(`${issuer} ${jti}`);
      return true;
    },
  });
  const received: ReceivedAlert[] = [];
  let down = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const body = Buffer.concat(chunks);
      let refusal: string | null = null;
      try {
        await verify({
          authorization: request.headers.authorization,
          method: request.method ?? '',
          path: request.url ?? '',
          body: new Uint8Array(body),
        });
      } catch (error) {
        refusal = error instanceof Error ? error.message : String(error);
      }
      const status = down > 0 ? 503 : refusal ? 401 : 204;
      if (down > 0) down -= 1;
      received.push({
        path: request.url ?? '',
        idempotencyKey: request.headers['idempotency-key'] as string | undefined,
        refusal,
        status,
        body: JSON.parse(body.toString('utf8')),
      });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alerts/conservation?source=gateway`,
    received,
    failNext: (count) => {
      down = count;
    },
  };
}
