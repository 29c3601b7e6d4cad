// The worker runs a real workflow on the real Temporal server, and its activity reaches PostgreSQL.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../runtime/logger.ts';
import { generateSigningKeyPair } from '../signing/keys.ts';
import { useTestDatabase } from '../test/support/database.ts';
import { connectTemporalClient } from './client.ts';
import { probeWorkflow } from './probe.workflow.ts';
import { createWorker } from './worker-factory.ts';

const db = useTestDatabase(2);
const address = inject('temporalAddress');
const taskQueue = `probe-${randomUUID()}`;
const logger = createLogger('warn', 'test-worker');
const gatewayKey = await generateSigningKeyPair('ES256');
const { worker, connection } = await createWorker({
  db,
  address,
  namespace: 'default',
  taskQueue,
  logger,
  gatewayIssuer: 'points-alliance-gateway',
  gatewayKey,
  partnerCallTimeoutMs: 1_000,
});
const client = await connectTemporalClient(address, 'default');
afterAll(async () => {
  await client.connection.close();
  await connection.close();
});

describe('probe workflow', () => {
  it('runs on the Temporal server and reads the database clock', async () => {
    const workflowId = `probe-${randomUUID()}`;
    const result = await worker.runUntil(
      client.workflow.execute(probeWorkflow, { taskQueue, workflowId, args: ['wiring check'] }),
    );
    expect(result.workflowId).toBe(workflowId);
    expect(result.note).toBe('wiring check');
    expect(Math.abs(Date.parse(result.databaseTime) - Date.now())).toBeLessThan(60_000);
    const description = await client.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('COMPLETED');
  });
});
