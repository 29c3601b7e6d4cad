// The Temporal client side: what the gateway uses to start and query workflows.
import { createRequire } from 'node:module';
import { Client, Connection } from '@temporalio/client';
import { activeTracing } from '../runtime/tracing.ts';

// Loaded only when this process traces: the interceptors package brings the OpenTelemetry SDK's
// trace, resource and semantic-convention modules (about 20 MiB resident) into a process that
// would otherwise never run them.
const require = createRequire(import.meta.url);
function loadInterceptors() {
  return require('@temporalio/interceptors-opentelemetry') as typeof import('@temporalio/interceptors-opentelemetry');
}

export async function connectTemporalClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address, connectTimeout: '5 seconds' });
  // When this process traces, a workflow's start carries the caller's trace in its headers.
  const interceptors = activeTracing()
    ? { workflow: [new (loadInterceptors().OpenTelemetryWorkflowClientInterceptor)()] }
    : {};
  return new Client({ connection, namespace, interceptors });
}

/** Asks the server for its system info: a cheap round trip that proves it answers. */
export async function pingTemporal(client: Client): Promise<void> {
  await client.connection.withDeadline(Date.now() + 2_000, () => client.workflowService.getSystemInfo({}));
}
