// Load for the Temporal baseline: runs a fixed number of bare workflows at a fixed concurrency,
// from a process of its own, and prints throughput and latency percentiles as JSON.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bareTransferWorkflow } from './bare.workflow.ts';
import { summarise } from './lib/stats.ts';

const [address = '127.0.0.1:7233', countText = '100', concurrencyText = '4', taskQueue = 'bench-bare'] =
  process.argv.slice(2);
const count = Number(countText);
const concurrency = Number(concurrencyText);
const connection = await Connection.connect({ address });
const client = new Client({ connection });
const latencies: number[] = [];
let ok = 0;
let started = 0;

async function lane(): Promise<void> {
  while (started < count) {
    started += 1;
    const begin = performance.now();
    const result = await client.workflow.execute(bareTransferWorkflow, {
      taskQueue,
      workflowId: `bare-${randomUUID()}`,
    });
    if (result === 'completed') ok += 1;
    latencies.push(performance.now() - begin);
  }
}

const begin = performance.now();
await Promise.all(Array.from({ length: concurrency }, lane));
const durationMs = performance.now() - begin;
await connection.close();
process.stdout.write(JSON.stringify(summarise(latencies, ok, durationMs, { completed: ok })));
