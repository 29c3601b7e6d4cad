// The benchmark's alliance: the gateway and its worker as processes of their own, two reference
// partner systems (HTTP) in a third, two hosted programmes, accepted agreements, and members with
// points, all set up through the gateway's signed API like a real alliance.
import path from 'node:path';
import type { JWK } from 'jose';
import type { PartnerView } from '../../gateway/schemas/partners.ts';
import { createPartnerBooks } from '../../reference-partner/store.ts';
import { ensurePostgres, ensureTemporal, type RunningService } from '../../runtime/local-services.ts';
import type { Logger } from '../../runtime/logger.ts';
import { projectDir } from '../../runtime/project-dir.ts';
import { generateSigningKeyPair, type SigningKeyPair } from '../../signing/keys.ts';
import { createSignedClient, type SignedClient } from '../../signing/signed-client.ts';
import { createDatabase, type Db } from '../../store/connection.ts';
import { dropDatabase, ensureDatabase, withDatabase } from '../../store/database-url.ts';
import { createLedgerAccountIds } from '../../store/hosted-ledger/accounts.ts';
import { creditPoints } from '../../store/hosted-ledger/operations.ts';
import { migrateToLatest } from '../../store/migrator.ts';
import { buildGateway, freePort, type Service, startService } from './processes.ts';

const accountIds = createLedgerAccountIds();

export const audience = 'points-alliance-gateway';

export interface BenchPartner {
  id: string;
  programId: string;
  key: SigningKeyPair;
  client: SignedClient;
}

export interface BenchAlliance {
  db: Db;
  databaseUrl: string;
  temporalAddress: string;
  gatewayUrl: string;
  gateway: Service;
  worker: Service;
  partners: { a: BenchPartner; b: BenchPartner; h1: BenchPartner; h2: BenchPartner };
  memberIds: string[];
  /** Starts one more gateway (a port of its own) and one more worker (the same task queue). */
  addProcesses(): Promise<ProcessPair>;
  stop(): Promise<void>;
}

export interface ProcessPair {
  gatewayUrl: string;
  gateway: Service;
  worker: Service;
  stop(): Promise<void>;
}

function expectStatus(response: { status: number; text: string }, status: number, what: string): void {
  if (response.status !== status)
    throw new Error(`bench set-up: ${what} answered ${response.status}: ${response.text}`);
}

export async function startBenchAlliance(
  logger: Logger,
  options: { members: number },
): Promise<BenchAlliance> {
  // The gateways run compiled, as in production: built from the sources as they are now.
  buildGateway();
  const postgres: RunningService = await ensurePostgres({
    databaseUrl: process.env.DATABASE_URL,
    dataDir: path.join(projectDir, '.data', 'bench'),
    embeddedPort: 54359,
    logger,
  });
  const databaseUrl = withDatabase(postgres.address, `alliance_bench_${Date.now()}`);
  await ensureDatabase(databaseUrl);
  const db = createDatabase({ url: databaseUrl, poolSizeMax: 10 });
  await migrateToLatest(db);
  const temporal = await ensureTemporal({
    address: process.env.TEMPORAL_ADDRESS,
    cliPath: process.env.TEMPORAL_CLI_PATH,
    namespace: 'default',
    logger,
  });

  const gatewayKey = await generateSigningKeyPair('ES256');
  const operatorKey = await generateSigningKeyPair('EdDSA');
  const [gatewayPort, partnerPortA, partnerPortB] = [await freePort(), await freePort(), await freePort()];
  const common = {
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: 'bench-transfers',
    GATEWAY_AUDIENCE: audience,
    GATEWAY_PRIVATE_JWKS: JSON.stringify({ keys: [gatewayKey.privateJwk] }),
    OPERATOR_PUBLIC_JWKS: JSON.stringify({ keys: [operatorKey.publicJwk] }),
    LOG_LEVEL: 'info',
    COOLING_OFF_HOURS: '0',
    TRANSFER_REPLY_WAIT_MS: '20000',
  };
  // Every gateway and worker of the alliance shares the database, Temporal's task queue and the keys.
  async function startPair(port: number): Promise<ProcessPair> {
    const gateway = await startService({
      name: 'gateway',
      script: 'dist/scripts/gateway.js',
      env: { ...common, PORT: String(port) },
      ready: 'gateway listening',
    });
    const worker = await startService({
      name: 'worker',
      script: 'scripts/worker.ts',
      // A port of its own for the metrics, so that a bench can run beside another worker.
      env: { ...common, WORKER_METRICS_PORT: String(await freePort()) },
      ready: 'worker running',
    });
    return {
      gatewayUrl: `http://127.0.0.1:${port}`,
      gateway,
      worker,
      async stop() {
        await gateway.stop();
        await worker.stop();
      },
    };
  }
  const { gateway, worker, gatewayUrl } = await startPair(gatewayPort);
  const operator = createSignedClient({
    baseUrl: gatewayUrl,
    issuer: 'operator',
    key: operatorKey,
    audience,
  });

  async function onboard(
    name: string,
    ledger: 'hosted' | 'partner_system',
    port: number | null,
  ): Promise<BenchPartner> {
    const key = await generateSigningKeyPair('ES256');
    const response = await operator.call({
      method: 'POST',
      path: '/v1/operator/partners',
      body: {
        name,
        programs: [{ name: `${name} points`, unitName: 'points', ledger }],
        keys: [key.publicJwk],
        loyaltyApiUrl: port ? `http://127.0.0.1:${port}` : null,
      },
    });
    expectStatus(response, 201, `onboarding ${name}`);
    const partner = response.json<PartnerView>();
    const client = createSignedClient({
      baseUrl: gatewayUrl,
      issuer: partner.id,
      key,
      audience,
      connectionsMax: 8,
    });
    return { id: partner.id, programId: partner.programs[0]?.id ?? '', key, client };
  }
  const a = await onboard('Bench Coffee', 'partner_system', partnerPortA);
  const b = await onboard('Bench Airline', 'partner_system', partnerPortB);
  const h1 = await onboard('Bench Books', 'hosted', null);
  const h2 = await onboard('Bench Cinema', 'hosted', null);
  const schemas = { a: `bench_a_${Date.now()}`, b: `bench_b_${Date.now()}` };
  const partnerSystems = await startService({
    name: 'partners',
    script: 'bench/partners-server.ts',
    env: {
      DATABASE_URL: databaseUrl,
      GATEWAY_AUDIENCE: audience,
      GATEWAY_PUBLIC_JWKS: JSON.stringify({ keys: [gatewayKey.publicJwk as JWK] }),
      PARTNERS: JSON.stringify([
        { schema: schemas.a, port: partnerPortA, partnerId: a.id },
        { schema: schemas.b, port: partnerPortB, partnerId: b.id },
      ]),
    },
    ready: 'partners running',
  });

  for (const [from, to] of [
    [a, b],
    [h1, h2],
  ] as const) {
    const proposed = await from.client.call({
      method: 'POST',
      path: '/v1/rate-agreements',
      body: {
        sourceProgramId: from.programId,
        targetProgramId: to.programId,
        fromPoints: '10',
        toPoints: '7',
        feeBasisPoints: 0,
        feePayer: 'source_partner',
        sourcePointsMin: '1',
        sourcePointsMax: '1000000000',
        memberDailyCapSourcePoints: '1000000000000',
        settlement: { amountMinor: '1', perTargetPoints: '1', currency: 'CNY' },
        effectiveFrom: new Date(Date.now() - 60_000).toISOString(),
      },
    });
    expectStatus(proposed, 201, 'proposing a rate');
    const version = proposed.json<{ agreementId: string; version: number }>();
    const accepted = await to.client.call({
      method: 'POST',
      path: `/v1/rate-agreements/${version.agreementId}/versions/${version.version}/accept`,
    });
    expectStatus(accepted, 200, 'accepting a rate');
  }

  const booksA = createPartnerBooks(db, schemas.a);
  const memberIds: string[] = [];
  for (let index = 0; index < options.members; index += 1) {
    let memberId: string | null = null;
    for (const partner of [a, b, h1, h2]) {
      const linked = await partner.client.call({
        method: 'POST',
        path: '/v1/member-links',
        body: {
          memberId,
          programId: partner.programId,
          accountRef: `m${index}`,
          consent: { grantedAt: new Date().toISOString(), scopes: ['transfers'], reference: 'bench' },
        },
      });
      expectStatus(linked, 201, 'linking a member');
      memberId = linked.json<{ memberId: string }>().memberId;
    }
    memberIds.push(memberId ?? '');
    await booksA.openAccount(`m${index}`, 1_000_000_000n);
    await creditPoints(db, accountIds, {
      programId: h1.programId,
      key: `seed-m${index}`,
      accountRef: `m${index}`,
      points: 1_000_000_000n,
      reason: 'bench seed',
    });
  }

  return {
    db,
    databaseUrl,
    temporalAddress: temporal.address,
    gatewayUrl,
    gateway,
    worker,
    partners: { a, b, h1, h2 },
    memberIds,
    addProcesses: async () => startPair(await freePort()),
    async stop() {
      await operator.close();
      for (const partner of [a, b, h1, h2]) await partner.client.close();
      await gateway.stop();
      await worker.stop();
      await partnerSystems.stop();
      await db.destroy();
      await dropDatabase(databaseUrl).catch(() => undefined);
      await temporal.stop();
      await postgres.stop();
    },
  };
}
