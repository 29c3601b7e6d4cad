// `npm run gateway`: the gateway alone, against the PostgreSQL and Temporal the environment names
// (the production-like topology of docker-compose.yml). Migrations are run by `npm run migrate`.

import { startGatewayServer } from '../gateway/server.ts';
import { loadConfig } from '../runtime/config.ts';
import { createLogger } from '../runtime/logger.ts';
import { requireSetting } from '../runtime/require-setting.ts';
import { onShutdown } from '../runtime/shutdown.ts';
import { gatewayKeysFromJwks } from '../runtime/signing-keys.ts';
import { startTracing } from '../runtime/tracing.ts';
import { createDatabase } from '../store/connection.ts';
import { connectTemporalClient } from '../workflows/client.ts';

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL, 'gateway');
// Before the Temporal client and the app are made: they add tracing only when it runs.
const tracing = startTracing({ serviceName: 'alliance-gateway' });
const db = createDatabase({
  url: requireSetting(config, 'DATABASE_URL'),
  poolSizeMax: config.DATABASE_POOL_SIZE_MAX,
  preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
});
const temporal = await connectTemporalClient(
  requireSetting(config, 'TEMPORAL_ADDRESS'),
  config.TEMPORAL_NAMESPACE,
);
const gateway = await startGatewayServer({
  config,
  db,
  temporal,
  logger,
  gatewayKeys: gatewayKeysFromJwks(requireSetting(config, 'GATEWAY_PRIVATE_JWKS')),
  operatorPublicKeys: requireSetting(config, 'OPERATOR_PUBLIC_JWKS').keys,
  financePublicKeys: config.FINANCE_PUBLIC_JWKS?.keys ?? [],
});
onShutdown(logger, [
  ['gateway', () => gateway.close()],
  ['temporal client', () => temporal.connection.close()],
  ['database pool', () => db.destroy()],
  ['tracing', async () => tracing?.shutdown()],
]);
