// The crash test's alliance: the gateway, the worker and two reference partner systems, each a
// process of its own (so each can be killed like a real one), a hosted programme, rate agreements
// in every direction, and members linked to all three programmes, all set up through signed APIs.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { JWK } from 'jose';
import { createHttpAdapter } from '../../adapters/http.ts';
import type { LoyaltyAdapter } from '../../adapters/loyalty-adapter.ts';
import {
  freePort,
  type RestartableService,
  type Service,
  startRestartableService,
  startService,
} from '../../bench/lib/processes.ts';
import type { PartnerView } from '../../gateway/schemas/partners.ts';
import { generateSigningKeyPair, type SigningKeyPair } from '../../signing/keys.ts';
import { createSignedClient, type SignedClient } from '../../signing/signed-client.ts';

export const chaosAudience = 'points-alliance-gateway';

export type ProgramSlug = 'alpha' | 'beta' | 'hosted';
export const programSlugs: readonly ProgramSlug[] = ['alpha', 'beta', 'hosted'];

export interface ChaosProgram {
  slug: ProgramSlug;
  partnerId: string;
  programId: string;
  ledger: 'partner_system' | 'hosted';
  /** Signs as this programme's partner. */
  client: SignedClient;
  /** The partner's signing key, for a test that must send the very same token twice. */
  key: SigningKeyPair;
  /** The reference partner system's URL (its unsigned /_control switches live there); null when hosted. */
  systemUrl: string | null;
  /** The partner system's own API, signed as the gateway signs; null when hosted. */
  system: (LoyaltyAdapter & { close(): Promise<void> }) | null;
}

export interface ChaosMember {
  memberId: string;
  /** The member's account in every programme (the same reference everywhere). */
  accountRef: string;
}

export interface ChaosAlliance {
  gatewayUrl: string;
  gateway: RestartableService;
  worker: RestartableService;
  partnerSystems: Service[];
  programs: Record<ProgramSlug, ChaosProgram>;
  operator: SignedClient;
  members: ChaosMember[];
  /** What every member held in every programme before the first transfer. */
  seedPoints: bigint;
  stop(): Promise<void>;
}

export interface ChaosAllianceOptions {
  databaseUrl: string;
  temporalAddress: string;
  members: number;
  seedPoints: bigint;
  /** The client's connections per partner: at least the load's concurrency. */
  connectionsMax: number;
  /** Settings for the gateway and the worker, over the crash test's own. */
  env?: Record<string, string>;
  /** Where each service's output is kept (`<name>.log`, appended across restarts); nowhere if absent. */
  logDir?: string;
  log?: (line: string) => void;
}

/** Short partner budgets (a hanging partner costs seconds) and no cooling-off, so load is not capped. */
const serviceSettings = {
  LOG_LEVEL: 'info',
  COOLING_OFF_HOURS: '0',
  QUOTE_LIFETIME_SECONDS: '900',
  PARTNER_CALL_TIMEOUT_MS: '1000',
  TRANSFER_STEP_TOTAL_SECONDS: '10',
  TRANSFER_REPLY_WAIT_MS: '1500',
  DATABASE_POOL_SIZE_MAX: '10',
  // No metrics server: test files run side by side, and each worker on the default port would take
  // it from the others (EADDRINUSE).
  WORKER_METRICS_PORT: '0',
};

function expectStatus(response: { status: number; text: string }, status: number, what: string): void {
  if (response.status !== status)
    throw new Error(`chaos set-up: ${what} answered ${response.status}: ${response.text}`);
}

export async function startChaosAlliance(options: ChaosAllianceOptions): Promise<ChaosAlliance> {
  const log = options.log ?? (() => {});
  const logDir = options.logDir;
  if (logDir) mkdirSync(logDir, { recursive: true });
  const outputFile = (name: string) => (logDir ? { outputFile: path.join(logDir, `${name}.log`) } : {});
  const gatewayKey = await generateSigningKeyPair('ES256');
  const operatorKey = await generateSigningKeyPair('EdDSA');
  const [gatewayPort, alphaPort, betaPort] = [await freePort(), await freePort(), await freePort()];
  const common = {
    DATABASE_URL: options.databaseUrl,
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_TASK_QUEUE: `chaos-${Date.now()}`,
    GATEWAY_AUDIENCE: chaosAudience,
    GATEWAY_PRIVATE_JWKS: JSON.stringify({ keys: [gatewayKey.privateJwk] }),
    OPERATOR_PUBLIC_JWKS: JSON.stringify({ keys: [operatorKey.publicJwk] }),
    ...serviceSettings,
    ...options.env,
  };
  const started: { stop(): Promise<void> }[] = [];
  const clients: { close(): Promise<void> }[] = [];
  const stop = async () => {
    for (const client of clients.reverse()) await client.close().catch(() => undefined);
    for (const service of started.reverse()) await service.stop().catch(() => undefined);
  };
  try {
    log('starting the gateway and the worker');
    const gateway = await startRestartableService({
      name: 'gateway',
      // The compiled gateway production runs (npm run gateway), built once by whoever starts the
      // alliance (test/global-setup.ts, scripts/chaos.ts), never by two tests under each other's gateway.
      script: 'dist/scripts/gateway.js',
      env: { ...common, PORT: String(gatewayPort) },
      ready: 'gateway listening',
      timeoutMs: 60_000,
      ...outputFile('gateway'),
    });
    started.push(gateway);
    const worker = await startRestartableService({
      name: 'worker',
      script: 'scripts/worker.ts',
      env: common,
      ready: 'worker running',
      timeoutMs: 60_000,
      ...outputFile('worker'),
    });
    started.push(worker);
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const operator = createSignedClient({
      baseUrl: gatewayUrl,
      issuer: 'operator',
      key: operatorKey,
      audience: chaosAudience,
    });
    clients.push(operator);

    const onboard = async (slug: ProgramSlug, port: number | null) => {
      const key = await generateSigningKeyPair('ES256');
      const response = await operator.call({
        method: 'POST',
        path: '/v1/operator/partners',
        body: {
          name: `Chaos ${slug}`,
          programs: [
            { name: `Chaos ${slug} points`, unitName: 'points', ledger: port ? 'partner_system' : 'hosted' },
          ],
          keys: [key.publicJwk],
          loyaltyApiUrl: port ? `http://127.0.0.1:${port}` : null,
        },
      });
      expectStatus(response, 201, `onboarding ${slug}`);
      const partner = response.json<PartnerView>();
      return { slug, partner, key, port };
    };
    const onboarded = [await onboard('alpha', alphaPort), await onboard('beta', betaPort)];
    const hostedPartner = await onboard('hosted', null);

    log('starting the reference partner systems');
    const partnerSystems: Service[] = [];
    for (const { slug, partner, port } of onboarded) {
      const system = await startService({
        name: `partner ${slug}`,
        script: 'bench/partners-server.ts',
        env: {
          DATABASE_URL: options.databaseUrl,
          GATEWAY_AUDIENCE: chaosAudience,
          GATEWAY_PUBLIC_JWKS: JSON.stringify({ keys: [gatewayKey.publicJwk as JWK] }),
          PARTNERS: JSON.stringify([{ schema: `chaos_${slug}`, port, partnerId: partner.id }]),
        },
        ready: 'partners running',
        ...outputFile(`partner-${slug}`),
      });
      partnerSystems.push(system);
      started.push(system);
    }

    const program = (entry: {
      slug: ProgramSlug;
      partner: PartnerView;
      key: SigningKeyPair;
      port: number | null;
    }): ChaosProgram => {
      const client = createSignedClient({
        baseUrl: gatewayUrl,
        issuer: entry.partner.id,
        key: entry.key,
        audience: chaosAudience,
        connectionsMax: options.connectionsMax,
        headersTimeoutMs: 30_000,
        bodyTimeoutMs: 30_000,
      });
      clients.push(client);
      const systemUrl = entry.port ? `http://127.0.0.1:${entry.port}` : null;
      const system = systemUrl
        ? createHttpAdapter({
            baseUrl: systemUrl,
            partnerId: entry.partner.id,
            gatewayIssuer: chaosAudience,
            gatewayKey,
            callTimeoutMs: 10_000,
          })
        : null;
      if (system) clients.push(system);
      return {
        slug: entry.slug,
        partnerId: entry.partner.id,
        programId: entry.partner.programs[0]?.id ?? '',
        ledger: systemUrl ? 'partner_system' : 'hosted',
        client,
        key: entry.key,
        systemUrl,
        system,
      };
    };
    const [alpha, beta] = onboarded.map(program) as [ChaosProgram, ChaosProgram];
    const programs = { alpha, beta, hosted: program(hostedPartner) };

    log('agreeing rates in every direction');
    for (const from of programSlugs)
      for (const to of programSlugs) if (from !== to) await agree(programs[from], programs[to]);

    log(`linking ${options.members} members to every programme`);
    const members: ChaosMember[] = [];
    for (let index = 0; index < options.members; index += 1)
      members.push(await enrol(programs, `chaos-m${index}`, options.seedPoints));

    return {
      gatewayUrl,
      gateway,
      worker,
      partnerSystems,
      programs,
      operator,
      members,
      seedPoints: options.seedPoints,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** 10 points become 9 in every direction, so every cycle loses points (the gateway refuses any other). */
async function agree(from: ChaosProgram, to: ChaosProgram): Promise<void> {
  const proposed = await from.client.call({
    method: 'POST',
    path: '/v1/rate-agreements',
    body: {
      sourceProgramId: from.programId,
      targetProgramId: to.programId,
      fromPoints: '10',
      toPoints: '9',
      feeBasisPoints: 0,
      feePayer: 'source_partner',
      sourcePointsMin: '1',
      sourcePointsMax: '1000000000',
      memberDailyCapSourcePoints: '1000000000000',
      settlement: { amountMinor: '1', perTargetPoints: '1', currency: 'CNY' },
      effectiveFrom: new Date(Date.now() - 60_000).toISOString(),
    },
  });
  expectStatus(proposed, 201, `proposing ${from.slug} → ${to.slug}`);
  const version = proposed.json<{ agreementId: string; version: number }>();
  const accepted = await to.client.call({
    method: 'POST',
    path: `/v1/rate-agreements/${version.agreementId}/versions/${version.version}/accept`,
  });
  expectStatus(accepted, 200, `accepting ${from.slug} → ${to.slug}`);
}

/** Links a new member to every programme (each owner signs) and gives it seedPoints in each. */
async function enrol(
  programs: Record<ProgramSlug, ChaosProgram>,
  accountRef: string,
  seedPoints: bigint,
): Promise<ChaosMember> {
  let memberId: string | null = null;
  for (const slug of programSlugs) {
    const program = programs[slug];
    const linked = await program.client.call({
      method: 'POST',
      path: '/v1/member-links',
      body: {
        memberId,
        programId: program.programId,
        accountRef,
        consent: {
          grantedAt: new Date().toISOString(),
          scopes: ['transfers', 'redemptions'],
          reference: 'chaos',
        },
      },
    });
    expectStatus(linked, 201, `linking ${accountRef} to ${slug}`);
    memberId = linked.json<{ memberId: string }>().memberId;
    if (program.systemUrl) {
      const opened = await fetch(`${program.systemUrl}/_control/accounts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ accountRef, points: String(seedPoints) }),
      });
      expectStatus({ status: opened.status, text: await opened.text() }, 201, `opening ${accountRef}`);
    } else {
      const credited = await program.client.call({
        method: 'POST',
        path: `/v1/programs/${program.programId}/accounts/${accountRef}/credits`,
        body: { points: String(seedPoints), reason: 'chaos seed' },
      });
      expectStatus(credited, 201, `seeding ${accountRef}`);
    }
  }
  return { memberId: memberId ?? '', accountRef };
}
