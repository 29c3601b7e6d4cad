// The test gateway's app on a real port, for a client that must speak HTTP (a browser): the app is
// the same one `gateway.call` drives in process. Closed after the file's tests.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll } from 'vitest';
import type { TestGateway } from './gateway.ts';

export async function serveTestGateway(gateway: TestGateway): Promise<{ url: string }> {
  const { server, address } = await new Promise<{ server: ReturnType<typeof serve>; address: AddressInfo }>(
    (resolve) => {
      const server = serve({ fetch: gateway.app.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
        resolve({ server, address: info }),
      );
    },
  );
  afterAll(
    () =>
      new Promise<void>((resolve, reject) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  );
  // localhost, not 127.0.0.1: Chromium keeps the console's Secure cookies over plain HTTP only there.
  return { url: `http://localhost:${address.port}` };
}
