// `npm start`: everything a newcomer needs, in one process tree. PostgreSQL (DATABASE_URL, or an
// embedded server), Temporal (TEMPORAL_ADDRESS, or the development server with its UI), migrations,
// the worker, the gateway, the demo partners and the partner sandbox (SANDBOX_ENABLED, on by
// default); then it prints what to try. Ctrl-C stops it all.
import path from 'node:path';
import { startGatewayServer } from '../gateway/server.ts';
import { startReferencePartner } from '../reference-partner/server.ts';
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
import { ensurePostgres, ensureTemporal, ServiceStartError } from '../runtime/local-services.ts';
import { createLogger } from '../runtime/logger.ts';
import { onShutdown } from '../runtime/shutdown.ts';
import { gatewayKeysFromJwks, loadOrCreateKeyPair } from '../runtime/signing-keys.ts';
import { startTracing } from '../runtime/tracing.ts';
import { startSandbox } from '../sandbox/start.ts';
import { createDatabase } from '../store/connection.ts';
import { databaseMissing, ensureDatabase, withDatabase } from '../store/database-url.ts';
import { migrateToLatest } from '../store/migrator.ts';
import { connectTemporalClient } from '../workflows/client.ts';
import { createWorker } from '../workflows/worker-factory.ts';
import { readDemoAlliance, seedDemoAlliance } from './lib/demo-alliance.ts';
import { demoBalances } from './lib/demo-balances.ts';
import { seedDemoCatalog } from './lib/demo-catalog.ts';
import { demoClient } from './lib/demo-client.ts';
import { seedDemoConsoleUsers } from './lib/demo-console.ts';
import { seedDemoPointsLife, startDemoWebhookInbox } from './lib/demo-points-life.ts';
import { printWelcome } from './lib/welcome.ts';

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL, 'start');
// Off unless OTEL_* asks for an exporter (docs/observability.md); before the Temporal client and
// worker are made, which add tracing only when it runs.
const tracing = startTracing({ serviceName: 'alliance-start' });
const dataDir = path.resolve(config.DATA_DIR);

/**
 * A server that cannot start (its port taken, its data folder held by a live server) is an
 * expected failure, not a bug: one line with the cause and exit 1, without a stack. Whatever this
 * process started already stops as it exits (the embedded PostgreSQL on the process's exit).
 */
async function startedOrExit<T>(starting: Promise<T>): Promise<T> {
  try {
    return await starting;
  } catch (error) {
    if (!(error instanceof ServiceStartError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(1);
  }
}

const postgres = await startedOrExit(
  ensurePostgres({
    databaseUrl: config.DATABASE_URL,
    dataDir,
    embeddedPort: config.EMBEDDED_POSTGRES_PORT,
    logger,
  }),
);
const databaseUrl = postgres.startedHere ? withDatabase(postgres.address, 'alliance') : postgres.address;
// A DATABASE_URL may name a database its server does not have yet: make it, as the sandbox's is. One
// that exists is used as it is (its name, or the role's rights on the server, need not allow making one).
if (postgres.startedHere || (await databaseMissing(databaseUrl))) {
  await ensureDatabase(databaseUrl).catch((error: unknown) => {
    const name = new URL(databaseUrl).pathname.slice(1);
    process.stderr.write(
      `error: could not create the database ${name} (${error}); create it, or set DATABASE_URL to one that exists\n`,
    );
    process.exit(1);
  });
}
const db = createDatabase({
  url: databaseUrl,
  poolSizeMax: config.DATABASE_POOL_SIZE_MAX,
  preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
});
const applied = await migrateToLatest(db);
logger.info({ applied }, 'database migrated');

const temporalServer = await startedOrExit(
  ensureTemporal({
    address: config.TEMPORAL_ADDRESS,
    cliPath: config.TEMPORAL_CLI_PATH,
    namespace: config.TEMPORAL_NAMESPACE,
    databaseFile: path.join(dataDir, 'temporal.sqlite'),
    port: config.TEMPORAL_DEV_SERVER_PORT,
    uiPort: config.TEMPORAL_UI_PORT,
    logger,
  }),
);
const temporal = await connectTemporalClient(temporalServer.address, config.TEMPORAL_NAMESPACE);

const gatewayKeys = config.GATEWAY_PRIVATE_JWKS
  ? gatewayKeysFromJwks(config.GATEWAY_PRIVATE_JWKS)
  : gatewayKeysFromJwks({
      keys: [(await loadOrCreateKeyPair(path.join(dataDir, 'keys', 'gateway.json'), 'ES256')).privateJwk],
    });
const operatorKey = await loadOrCreateKeyPair(path.join(dataDir, 'keys', 'operator.json'), 'EdDSA');
const operatorPublicKeys = config.OPERATOR_PUBLIC_JWKS?.keys ?? [operatorKey.publicJwk];
const financeKey = await loadOrCreateKeyPair(path.join(dataDir, 'keys', 'finance.json'), 'EdDSA');
const financePublicKeys = config.FINANCE_PUBLIC_JWKS?.keys ?? [financeKey.publicJwk];

// The partner sandbox: a second alliance of its own (docs/sandbox.md), reached from the live
// gateway only to issue sandbox credentials.
const sandbox = config.SANDBOX_ENABLED
  ? await startSandbox({
      config,
      liveDatabaseUrl: databaseUrl,
      temporalAddress: temporalServer.address,
      dataDir,
      logger,
      standInPorts: { airline: 4111, cinema: 4112 },
      schedules: true,
    }).catch((error: unknown) => {
      process.stderr.write(
        `error: the partner sandbox did not start (SANDBOX_ENABLED=false runs without it): ${error}\n`,
      );
      process.exit(1);
    })
  : null;

const {
  worker,
  connection: workerConnection,
  adapters,
} = await createWorker({
  db,
  address: temporalServer.address,
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  logger,
  gatewayIssuer: config.GATEWAY_AUDIENCE,
  gatewayKey: gatewayKeys.signing,
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
const workerRun = worker.run();

const gateway = await startGatewayServer({
  config: { ...config, TEMPORAL_UI_URL: config.TEMPORAL_UI_URL ?? temporalServer.uiUrl ?? undefined },
  db,
  temporal,
  logger,
  gatewayKeys,
  operatorPublicKeys,
  financePublicKeys,
  sandboxProvisioner: sandbox?.provisioner,
});
const operator = demoClient('operator', operatorKey, { url: gateway.url, audience: config.GATEWAY_AUDIENCE });
// Two partners keep their points in systems of their own: reference partner servers, here.
const systems = {
  airline: await startReferencePartner({
    db,
    schema: 'demo_airline',
    gatewayIssuer: config.GATEWAY_AUDIENCE,
    gatewayPublicKeys: () => gatewayKeys.publicKeys,
    port: 4101,
  }),
  cinema: await startReferencePartner({
    db,
    schema: 'demo_cinema',
    gatewayIssuer: config.GATEWAY_AUDIENCE,
    gatewayPublicKeys: () => gatewayKeys.publicKeys,
    port: 4102,
  }),
};
// The coffee chain's points are hosted; its webhooks (points.expiring…) land in a demo inbox.
const coffeeInbox = await startDemoWebhookInbox();
// With operator keys of your own, the demo cannot sign as the operator, so it seeds nothing.
const alliance = config.OPERATOR_PUBLIC_JWKS
  ? readDemoAlliance(dataDir)
  : await seedDemoAlliance({
      operator,
      gatewayUrl: gateway.url,
      audience: config.GATEWAY_AUDIENCE,
      dataDir,
      coffeeWebhookUrl: `${coffeeInbox.url}/webhooks`,
      systems: {
        airline: {
          url: systems.airline.url,
          openAccount: (ref, points) => systems.airline.books.openAccount(ref, points),
        },
        cinema: {
          url: systems.cinema.url,
          openAccount: (ref, points) => systems.cinema.books.openAccount(ref, points),
        },
      },
    });
if (!config.OPERATOR_PUBLIC_JWKS) {
  await seedDemoCatalog({ alliance, gatewayUrl: gateway.url, audience: config.GATEWAY_AUDIENCE, dataDir });
  await seedDemoPointsLife({ alliance, gatewayUrl: gateway.url, audience: config.GATEWAY_AUDIENCE, dataDir });
}
const consoleUsers = config.OPERATOR_PUBLIC_JWKS
  ? []
  : await seedDemoConsoleUsers({ operator, alliance, dataDir });
for (const partner of alliance.partners) {
  if (partner.slug === 'airline' || partner.slug === 'cinema')
    systems[partner.slug].setPartnerId(partner.partnerId);
}

printWelcome({
  balances: await demoBalances(alliance, { url: gateway.url, audience: config.GATEWAY_AUDIENCE }),
  gatewayUrl: gateway.url,
  temporalUiUrl: temporalServer.uiUrl,
  temporalAddress: temporalServer.address,
  databaseUrl: postgres.startedHere ? databaseUrl : '(DATABASE_URL)',
  dataDir: config.DATA_DIR,
  alliance,
  consoleUsers,
  sandbox,
});

onShutdown(logger, [
  ['gateway', () => gateway.close()],
  ['partner sandbox', async () => sandbox?.close()],
  [
    'reference partners',
    () => Promise.all([systems.airline.close(), systems.cinema.close(), coffeeInbox.close()]),
  ],
  [
    'worker',
    async () => {
      // The Temporal runtime starts the worker's shutdown on SIGINT itself; ask only if it has not.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun;
      await workerConnection.close();
      await adapters.close();
    },
  ],
  ['temporal client', () => temporal.connection.close()],
  ['database pool', () => db.destroy()],
  ['tracing', async () => tracing?.shutdown()],
  ['temporal server', () => temporalServer.stop()],
  ['postgres', () => postgres.stop()],
]);
