// Load for the Temporal baseline: runs a fixed number of bare workflows at a fixed concurrency,
// from a process of its own, and prints throughput and latency percentiles as JSON.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bareTransferWorkflow } from './bare.workflow.ts';
import { runLanes } from './lib/lanes.ts';

const [address = '127.0.0.1:7233', countText = '100', concurrencyText = '4', taskQueue = 'bench-bare'] =
  process.argv.slice(2);
const connection = await Connection.connect({ address });
const client = new Client({ connection });
const result = await runLanes(Number(countText), Number(concurrencyText), ['completed'], async () => {
  const outcome = await client.workflow.execute(bareTransferWorkflow, {
    taskQueue,
    workflowId: `bare-${randomUUID()}`,
  });
  return outcome;
});
await connection.close();
process.stdout.write(JSON.stringify(result));
