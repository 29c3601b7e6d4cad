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
import { startMetricsServer } from '../runtime/metrics-server.ts';
import { requireSetting } from '../runtime/require-setting.ts';
import { gatewayKeysFromJwks } from '../runtime/signing-keys.ts';
import { startTracing } from '../runtime/tracing.ts';
import { createDatabase } from '../store/connection.ts';
import { createWorker } from '../workflows/worker-factory.ts';

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL, 'worker');
// Before the worker is made: it adds Temporal's tracing interceptors only when tracing runs.
const tracing = startTracing({ serviceName: 'alliance-worker' });
const metrics =
  config.WORKER_METRICS_PORT === 0
    ? null
    : await startMetricsServer({
        host: config.HOST,
        port: config.WORKER_METRICS_PORT,
        bearerToken: config.METRICS_TOKEN ?? null,
      });
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
logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, metrics: metrics?.url ?? null }, 'worker running');
await worker.run();
await metrics?.close();
await tracing?.shutdown();
await connection.close();
await adapters.close();
await db.destroy();
process.exit(0);
