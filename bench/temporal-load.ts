// Load for the Temporal baseline: runs a fixed number of bare workflows at a fixed concurrency (or,
// given a rate, at that many arrivals a second), from a process of its own, and prints throughput
// and latency percentiles as JSON.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bareTransferWorkflow } from './bare.workflow.ts';
import { runLanes } from './lib/lanes.ts';
import { runOpenLoop } from './lib/open-loop.ts';

const [
  address = '127.0.0.1:7233',
  countText = '100',
  concurrencyText = '4',
  taskQueue = 'bench-bare',
  rateText = '',
] = process.argv.slice(2);
const connection = await Connection.connect({ address });
const client = new Client({ connection });
const run = () =>
  client.workflow.execute(bareTransferWorkflow, { taskQueue, workflowId: `bare-${randomUUID()}` });
const result = rateText
  ? await runOpenLoop(Number(countText), Number(rateText), ['completed'], run)
  : await runLanes(Number(countText), Number(concurrencyText), ['completed'], run);
await connection.close();
process.stdout.write(JSON.stringify(result));
