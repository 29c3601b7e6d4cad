// When a service this process would start cannot start, the error is a ServiceStartError that
// names the cause in one line, which `npm start` prints as it is.
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from '../bench/lib/processes.ts';
import { ensureTemporal, ServiceStartError } from './local-services.ts';
import { createLogger } from './logger.ts';

async function occupy(port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

describe('ensureTemporal', () => {
  it('names the port of the development server that another process holds', async () => {
    const port = await freePort();
    const taken = await occupy(port);
    try {
      const start = ensureTemporal({
        address: undefined,
        cliPath: undefined,
        namespace: 'default',
        port,
        logger: createLogger('silent'),
      });
      await expect(start).rejects.toBeInstanceOf(ServiceStartError);
      await expect(start).rejects.toThrow(
        `the Temporal development server cannot start: port ${port} (TEMPORAL_DEV_SERVER_PORT) is already in use by another process`,
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
