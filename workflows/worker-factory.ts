// Builds a Temporal worker over real dependencies; the worker entry, `npm start` and tests use it.
import { createRequire } from 'node:module';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Logger } from '../runtime/logger.ts';
import { installTemporalRuntime } from '../runtime/temporal-runtime.ts';
import { type ActivityDependencies, createActivities } from './activities.ts';

const require = createRequire(import.meta.url);

export interface WorkerOptions extends ActivityDependencies {
  address: string;
  namespace: string;
  taskQueue: string;
  logger: Logger;
}

export async function createWorker(
  options: WorkerOptions,
): Promise<{ worker: Worker; connection: NativeConnection }> {
  installTemporalRuntime(options.logger);
  const connection = await NativeConnection.connect({ address: options.address });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowsPath: require.resolve('./index.ts'),
    activities: createActivities({ db: options.db }),
  });
  return { worker, connection };
}
