// Builds a Temporal worker over real dependencies; the worker entry, `npm start` and tests use it.
import { createRequire } from 'node:module';
import { NativeConnection, Worker } from '@temporalio/worker';
import { type AdapterResolver, createAdapterResolver } from '../adapters/resolver.ts';
import type { Logger } from '../runtime/logger.ts';
import { installTemporalRuntime } from '../runtime/temporal-runtime.ts';
import type { SigningKeyPair } from '../signing/keys.ts';
import { type ActivityDependencies, createActivities } from './activities.ts';
import { createTransferActivities } from './transfer-activities.ts';
import { createWebhookActivities } from './webhook-activities.ts';

const require = createRequire(import.meta.url);

export interface WorkerOptions extends ActivityDependencies {
  address: string;
  namespace: string;
  taskQueue: string;
  logger: Logger;
  gatewayIssuer: string;
  gatewayKey: SigningKeyPair;
  partnerCallTimeoutMs: number;
}

export async function createWorker(
  options: WorkerOptions,
): Promise<{ worker: Worker; connection: NativeConnection; adapters: AdapterResolver }> {
  installTemporalRuntime(options.logger);
  const adapters = createAdapterResolver({
    db: options.db,
    gatewayIssuer: options.gatewayIssuer,
    gatewayKey: options.gatewayKey,
    partnerCallTimeoutMs: options.partnerCallTimeoutMs,
  });
  const connection = await NativeConnection.connect({ address: options.address });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowsPath: require.resolve('./index.ts'),
    activities: {
      ...createActivities({ db: options.db }),
      ...createTransferActivities({ db: options.db, adapters }),
      ...createWebhookActivities({
        db: options.db,
        gatewayIssuer: options.gatewayIssuer,
        gatewayKey: options.gatewayKey,
        webhookTimeoutMs: options.partnerCallTimeoutMs,
      }),
    },
  });
  return { worker, connection, adapters };
}
