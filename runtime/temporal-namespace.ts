// Makes a Temporal namespace when it is missing (the sandbox's, beside the live one) and waits until
// the server serves it: a namespace answers describe at once but is refused by workers and lists
// for a moment more (about a second on the development server), until the frontend's cache has it.
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';

const notFound = 5;
const alreadyExists = 6;

function grpcCode(error: unknown): number | undefined {
  return (error as { code?: number }).code;
}

export async function ensureTemporalNamespace(options: {
  address: string;
  namespace: string;
  /** How long closed workflows are kept; set only when the namespace is made here. */
  retentionDays: number;
  /** How long to wait for a new namespace to be served before giving up. */
  readyTimeoutMs: number;
}): Promise<{ created: boolean }> {
  const connection = await Connection.connect({ address: options.address, connectTimeout: '5 seconds' });
  const service = connection.workflowService;
  const { namespace } = options;
  try {
    let created = false;
    try {
      await service.describeNamespace({ namespace });
    } catch (error) {
      if (grpcCode(error) !== notFound) throw error;
      try {
        await service.registerNamespace({
          namespace,
          workflowExecutionRetentionPeriod: msToTs(options.retentionDays * 86_400_000),
          description: 'made by the points alliance gateway',
        });
        created = true;
      } catch (raced) {
        // Another process made it first: it is there, which is all this asks.
        if (grpcCode(raced) !== alreadyExists) throw raced;
      }
    }
    const deadline = Date.now() + options.readyTimeoutMs;
    for (;;) {
      try {
        await service.listWorkflowExecutions({ namespace, pageSize: 1 });
        return { created };
      } catch (error) {
        if (grpcCode(error) !== notFound || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } finally {
    await connection.close();
  }
}
