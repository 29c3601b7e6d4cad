// The Temporal client side: what the gateway uses to start and query workflows.
import { Client, Connection } from '@temporalio/client';

export async function connectTemporalClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address, connectTimeout: '5 seconds' });
  return new Client({ connection, namespace });
}

/** Asks the server for its system info: a cheap round trip that proves it answers. */
export async function pingTemporal(client: Client): Promise<void> {
  await client.connection.withDeadline(Date.now() + 2_000, () => client.workflowService.getSystemInfo({}));
}
