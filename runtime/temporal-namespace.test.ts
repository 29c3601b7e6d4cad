// A namespace the server lacks is made and served before ensureTemporalNamespace returns, so a
// workflow can start in it at once; a second call finds it and makes nothing.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { describe, expect, inject, it } from 'vitest';
import { ensureTemporalNamespace } from './temporal-namespace.ts';

describe('ensureTemporalNamespace', () => {
  it('makes a missing namespace and returns once it serves requests', async () => {
    const namespace = `test-${randomUUID().slice(0, 8)}`;
    const options = {
      address: inject('temporalAddress'),
      namespace,
      retentionDays: 1,
      readyTimeoutMs: 30_000,
    };
    expect(await ensureTemporalNamespace(options)).toEqual({ created: true });
    expect(await ensureTemporalNamespace(options)).toEqual({ created: false });

    const connection = await Connection.connect({ address: options.address });
    try {
      const client = new Client({ connection, namespace });
      const handle = await client.workflow.start('notRegisteredAnywhere', {
        taskQueue: `queue-${namespace}`,
        workflowId: 'served',
      });
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await handle.terminate('the test only needed it started');
    } finally {
      await connection.close();
    }
  });
});
