// The Temporal client side: what the gateway uses to start and query workflows.
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { activeTracing } from '../runtime/tracing.ts';

export async function connectTemporalClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address, connectTimeout: '5 seconds' });
  // When this process traces, a workflow's start carries the caller's trace in its headers.
  const interceptors = activeTracing() ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : {};
  return new Client({ connection, namespace, interceptors });
}

/** Asks the server for its system info: a cheap round trip that proves it answers. */
export async function pingTemporal(client: Client): Promise<void> {
  await client.connection.withDeadline(Date.now() + 2_000, () => client.workflowService.getSystemInfo({}));
}
