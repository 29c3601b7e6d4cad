// `npm run worker`: the Temporal worker alone, against the PostgreSQL and Temporal the environment names.
import { loadConfig } from '../runtime/config.ts';
import { createLogger } from '../runtime/logger.ts';
import { requireSetting } from '../runtime/require-setting.ts';
import { createDatabase } from '../store/connection.ts';
import { createWorker } from '../workflows/worker-factory.ts';

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL, 'worker');
const db = createDatabase({
  url: requireSetting(config, 'DATABASE_URL'),
  poolSizeMax: config.DATABASE_POOL_SIZE_MAX,
});
const { worker, connection } = await createWorker({
  db,
  address: requireSetting(config, 'TEMPORAL_ADDRESS'),
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  logger,
});
// The Temporal runtime stops the worker on SIGINT and SIGTERM; run() then resolves.
logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker running');
await worker.run();
await connection.close();
await db.destroy();
process.exit(0);
