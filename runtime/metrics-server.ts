// A small HTTP server for a process that has no other (the worker): GET /metrics answers with this
// process's registry, behind the same bearer token as the gateway's /metrics when one is set.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsRegistry } from './metrics.ts';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** Whether an Authorization header carries the token (compared in constant time); none set: yes. */
export function bearerTokenMatches(header: string | undefined, token: string | null): boolean {
  if (token === null) return true;
  const sent = Buffer.from(header?.replace(/^Bearer /, '') ?? '');
  const expected = Buffer.from(token);
  return sent.length === expected.length && timingSafeEqual(sent, expected);
}

export async function startMetricsServer(options: {
  host: string;
  port: number;
  bearerToken: string | null;
}): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    if (!bearerTokenMatches(request.headers.authorization, options.bearerToken)) {
      response.writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"' }).end();
      return;
    }
    metricsRegistry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  // A scrape that stalls is dropped, not kept open.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${address.port}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
