// Starts the partner sandbox beside a live gateway: a second alliance with a database of its own
// (`<live database>_sandbox`, migrated like the live one), a Temporal namespace of its own and a
// worker bound to both, its own gateway signing key and audience, reference partner systems with
// fault switches standing in for the other brands, and the gateway app served on its own port as
// the sandbox. The live gateway reaches it only through the returned provisioner.
import path from 'node:path';
import { type SandboxStandInSlug, sandboxStandInBrands } from '../domain/sandbox.ts';
import { startGatewayServer } from '../gateway/server.ts';
import {
  type Config,
  catalogSync,
  conservationMonitor,
  couponExpiry,
  pointsExpiry,
  pointsPaymentSweep,
  reconciliationPlan,
  settlementCalendar,
  strandedTransferSweep,
} from '../runtime/config.ts';
import type { Logger } from '../runtime/logger.ts';
import { gatewayKeysFromJwks, loadOrCreateKeyPair } from '../runtime/signing-keys.ts';
import { ensureTemporalNamespace } from '../runtime/temporal-namespace.ts';
import type { SandboxProvisioner, SandboxStandIn } from '../services/sandbox.ts';
import { createSignedClient } from '../signing/signed-client.ts';
import { createDatabase } from '../store/connection.ts';
import { ensureDatabase, withDatabase } from '../store/database-url.ts';
import { migrateToLatest } from '../store/migrator.ts';
import { connectTemporalClient } from '../workflows/client.ts';
import { createWorker } from '../workflows/worker-factory.ts';
import { loadOrCreateSecret } from './credential-keys.ts';
import { setUpRegistry } from './registry.ts';
import { type StandInSystems, seedStandIns, standInFaultSwitches, startStandInSystems } from './stand-ins.ts';
import { createTwinProvisioner } from './twins.ts';

export interface SandboxOptions {
  /** The live configuration; the sandbox reads its own settings (SANDBOX_*) from it. */
  config: Config;
  /** The live database's URL: the sandbox's is `<that database>_sandbox` on the same server. */
  liveDatabaseUrl: string;
  temporalAddress: string;
  /** Where the sandbox keeps its keys (keys/sandbox-*.json) and its credential secret. */
  dataDir: string;
  logger: Logger;
  /** The stand-ins' ports: fixed for `npm start` (their URLs are registered once); 0 in tests. */
  standInPorts: Record<SandboxStandInSlug, number>;
  /** The worker's Schedules (sweeps, settlement, expiry…); tests leave them off. */
  schedules: boolean;
}

export interface RunningSandbox {
  url: string;
  audience: string;
  databaseUrl: string;
  namespace: string;
  standIns: readonly SandboxStandIn[];
  /** The stand-ins' reference systems (their books, for a look at a member's points). */
  systems: StandInSystems;
  provisioner: SandboxProvisioner;
  close(): Promise<void>;
}

export function sandboxDatabaseUrl(liveDatabaseUrl: string): string {
  const live = decodeURIComponent(new URL(liveDatabaseUrl).pathname.slice(1)) || 'postgres';
  return withDatabase(liveDatabaseUrl, `${live}_sandbox`);
}

/** The live configuration with the sandbox's own port, audience and namespace in place of the live ones. */
export function sandboxConfig(config: Config): Config {
  return {
    ...config,
    PORT: config.SANDBOX_PORT,
    GATEWAY_AUDIENCE: config.SANDBOX_AUDIENCE,
    TEMPORAL_NAMESPACE: config.SANDBOX_TEMPORAL_NAMESPACE,
    // The sandbox's conservation alerts are its own business, not the live operator's pager's.
    OPERATOR_WEBHOOK_URL: undefined,
  };
}

export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const config = sandboxConfig(options.config);
  const logger = options.logger.child({ alliance: 'sandbox' });
  const keyFile = (name: string) => path.join(options.dataDir, 'keys', `sandbox-${name}.json`);

  const databaseUrl = sandboxDatabaseUrl(options.liveDatabaseUrl);
  await ensureDatabase(databaseUrl);
  const db = createDatabase({
    url: databaseUrl,
    poolSizeMax: Math.min(config.DATABASE_POOL_SIZE_MAX, 10),
    preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
  });
  await migrateToLatest(db);
  await setUpRegistry(db);
  await ensureTemporalNamespace({
    address: options.temporalAddress,
    namespace: config.TEMPORAL_NAMESPACE,
    retentionDays: 3,
    readyTimeoutMs: 30_000,
  });

  const gatewayKeys = gatewayKeysFromJwks({
    keys: [(await loadOrCreateKeyPair(keyFile('gateway'), 'ES256')).privateJwk],
  });
  const operatorKey = await loadOrCreateKeyPair(keyFile('operator'), 'EdDSA');
  const temporal = await connectTemporalClient(options.temporalAddress, config.TEMPORAL_NAMESPACE);
  const { worker, connection, adapters } = await createWorker({
    db,
    address: options.temporalAddress,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    logger,
    gatewayIssuer: config.GATEWAY_AUDIENCE,
    gatewayKey: gatewayKeys.signing,
    partnerCallTimeoutMs: config.PARTNER_CALL_TIMEOUT_MS,
    // Without Schedules, a worker still sweeps nothing: the reconciliation tolerance is all it needs.
    reconciliation: options.schedules ? reconciliationPlan(config) : { toleranceMs: 300_000 },
    ...(options.schedules
      ? {
          strandedTransfers: strandedTransferSweep(config),
          settlement: settlementCalendar(config),
          conservation: conservationMonitor(config),
          catalogSync: catalogSync(config),
          couponExpiry: couponExpiry(config),
          pointsExpiry: pointsExpiry(config),
          pointsPayments: pointsPaymentSweep(config),
        }
      : {}),
  });
  const workerRun = worker.run();

  const systems = await startStandInSystems({
    db,
    gatewayIssuer: config.GATEWAY_AUDIENCE,
    gatewayPublicKeys: () => gatewayKeys.publicKeys,
    ports: options.standInPorts,
  });
  // The switches are filled in once the stand-ins are onboarded, which needs the gateway up.
  let standIns: SandboxStandIn[] = [];
  const faults = standInFaultSwitches(systems, () => standIns);
  const gateway = await startGatewayServer({
    config,
    db,
    temporal,
    logger,
    gatewayKeys,
    operatorPublicKeys: [operatorKey.publicJwk],
    financePublicKeys: [],
    sandbox: { faults },
  });
  const client = (issuer: string, key: typeof operatorKey) =>
    createSignedClient({ baseUrl: gateway.url, issuer, key, audience: config.GATEWAY_AUDIENCE });
  const operator = client('operator', operatorKey);
  const standInKeys = Object.fromEntries(
    await Promise.all(
      sandboxStandInBrands.map(async (brand) => [
        brand.slug,
        await loadOrCreateKeyPair(keyFile(`stand-in-${brand.slug}`), 'ES256'),
      ]),
    ),
  ) as Record<SandboxStandInSlug, typeof operatorKey>;
  standIns = await seedStandIns({ db, operator, systems, keys: standInKeys });
  const standInClients = Object.fromEntries(
    standIns.map((standIn) => [standIn.slug, client(standIn.partnerId, standInKeys[standIn.slug])]),
  ) as Record<SandboxStandInSlug, ReturnType<typeof client>>;
  logger.info({ url: gateway.url, database: databaseUrl }, 'partner sandbox running');

  return {
    url: gateway.url,
    audience: config.GATEWAY_AUDIENCE,
    databaseUrl,
    namespace: config.TEMPORAL_NAMESPACE,
    standIns,
    systems,
    provisioner: createTwinProvisioner({
      db,
      sandboxUrl: gateway.url,
      audience: config.GATEWAY_AUDIENCE,
      operator,
      standIns,
      standInClients,
      systems,
      credentialSecret: await loadOrCreateSecret(
        path.join(options.dataDir, 'keys', 'sandbox-credentials.secret'),
      ),
    }),
    close: async () => {
      await gateway.close();
      await Promise.all([operator.close(), ...Object.values(standInClients).map((each) => each.close())]);
      await Promise.all(Object.values(systems).map((system) => system.close()));
      // The Temporal runtime starts the worker's shutdown on SIGINT itself; ask only if it has not.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun;
      await connection.close();
      await adapters.close();
      await temporal.connection.close();
      await db.destroy();
    },
  };
}
