// `npm run worker`: the Temporal worker alone, against the PostgreSQL and Temporal the environment names.
import {
  catalogSync,
  conservationMonitor,
  couponExpiry,
  loadConfig,
  pointsExpiry,
  pointsPaymentSweep,
  reconciliationPlan,
  settlementCalendar,
  strandedTransferSweep,
} from '../runtime/config.ts';
import { createLogger } from '../runtime/logger.ts';
import { requireSetting } from '../runtime/require-setting.ts';
import { gatewayKeysFromJwks } from '../runtime/signing-keys.ts';
import { createDatabase } from '../store/connection.ts';
import { createWorker } from '../workflows/worker-factory.ts';

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL, 'worker');
const db = createDatabase({
  url: requireSetting(config, 'DATABASE_URL'),
  poolSizeMax: config.DATABASE_POOL_SIZE_MAX,
  preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
});
const { worker, connection, adapters } = await createWorker({
  db,
  address: requireSetting(config, 'TEMPORAL_ADDRESS'),
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  logger,
  gatewayIssuer: config.GATEWAY_AUDIENCE,
  gatewayKey: gatewayKeysFromJwks(requireSetting(config, 'GATEWAY_PRIVATE_JWKS')).signing,
  partnerCallTimeoutMs: config.PARTNER_CALL_TIMEOUT_MS,
  strandedTransfers: strandedTransferSweep(config),
  settlement: settlementCalendar(config),
  conservation: conservationMonitor(config),
  reconciliation: reconciliationPlan(config),
  catalogSync: catalogSync(config),
  couponExpiry: couponExpiry(config),
  pointsExpiry: pointsExpiry(config),
  pointsPayments: pointsPaymentSweep(config),
});
// The Temporal runtime stops the worker on SIGINT and SIGTERM; run() then resolves.
logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker running');
await worker.run();
await connection.close();
await adapters.close();
await db.destroy();
process.exit(0);
