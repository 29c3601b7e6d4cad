// A worker for the baseline workflow, in a process of its own like the gateway's worker.
import { createRequire } from 'node:module';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createLogger } from '../runtime/logger.ts';
import { installTemporalRuntime } from '../runtime/temporal-runtime.ts';

const activities = {
  async nothing(): Promise<void> {},
};
export type BareActivities = typeof activities;

if (import.meta.main) {
  installTemporalRuntime(createLogger('warn', 'bare-worker'));
  const require = createRequire(import.meta.url);
  const connection = await NativeConnection.connect({
    address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
  });
  const worker = await Worker.create({
    connection,
    taskQueue: process.env.TEMPORAL_TASK_QUEUE ?? 'bench-bare',
    workflowsPath: require.resolve('./bare.workflow.ts'),
    activities,
  });
  process.stdout.write('bare worker running\n');
  await worker.run();
  await connection.close();
}
