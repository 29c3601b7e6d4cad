// Liveness answers while the process runs; readiness answers 200 only while PostgreSQL and
// Temporal both answer, and names the one that does not.
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { startEmbeddedPostgres } from '../../runtime/embedded-postgres.ts';
import { createLogger } from '../../runtime/logger.ts';
import { projectDir } from '../../runtime/project-dir.ts';
import { createDatabase } from '../../store/connection.ts';
import { createTestGateway } from '../../test/support/gateway.ts';
import { connectTemporalClient } from '../../workflows/client.ts';
import { readinessChecks } from '../readiness.ts';

describe('health', () => {
  it('is live and ready against the real PostgreSQL and Temporal', async () => {
    const gateway = await createTestGateway();
    expect(await (await gateway.call(null, 'GET', '/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await gateway.call(null, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', temporal: 'ok' } });
  });

  it('is not ready once its PostgreSQL server stops', async () => {
    // A PostgreSQL server of this test's own, so that stopping it harms no other test.
    const logger = createLogger('silent');
    const server = await startEmbeddedPostgres({
      dataDir: path.join(projectDir, '.data', 'test-readiness'),
      port: 54349,
      logger,
    });
    const db = createDatabase({
      url: `${server.serverUrl}/postgres`,
      poolSizeMax: 1,
      connectTimeoutMs: 1_000,
    });
    const temporal = await connectTemporalClient(inject('temporalAddress'), 'default');
    try {
      const gateway = await createTestGateway({ readiness: readinessChecks(db, temporal) });
      expect((await gateway.call(null, 'GET', '/readyz')).status).toBe(200);

      await server.stop();
      const response = await gateway.call(null, 'GET', '/readyz');
      expect(response.status).toBe(503);
      const problem = (await response.json()) as { code: string; detail: string };
      expect(problem.code).toBe('dependency_unavailable');
      expect(problem.detail).toMatch(/^PostgreSQL: (?!ok).+; Temporal: ok$/);
      expect((await gateway.call(null, 'GET', '/healthz')).status).toBe(200);
    } finally {
      await db.destroy();
      await temporal.connection.close();
      await server.stop();
    }
  });
});
