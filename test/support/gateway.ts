// A gateway app over the real test database and Temporal server, with an operator key pair and
// helpers that send signed requests the way a partner's integration would.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, inject } from 'vitest';
import { createApp, type GatewayOptions } from '../../gateway/app.ts';
import { readinessChecks } from '../../gateway/readiness.ts';
import type { ReadinessChecks } from '../../gateway/routes/health.ts';
import type { MetricsRouteOptions } from '../../gateway/routes/metrics.ts';
import type { PartnerView } from '../../gateway/schemas/partners.ts';
import { createLogger } from '../../runtime/logger.ts';
import type { SandboxFaultSwitches, SandboxProvisioner } from '../../services/sandbox.ts';
import { signDocument } from '../../signing/documents.ts';
import { generateSigningKeyPair, type SigningKeyPair } from '../../signing/keys.ts';
import type { SignRequestInput } from '../../signing/request-token.ts';
import type { Db } from '../../store/connection.ts';
import { startAccrualReversalWorkflow, startAccrualWorkflow } from '../../workflows/accrual-client.ts';
import { startCatalogOrder } from '../../workflows/catalog-order-client.ts';
import { connectTemporalClient } from '../../workflows/client.ts';
import { startDrawClosing } from '../../workflows/draw-client.ts';
import { startPointsPaymentOperation } from '../../workflows/points-payment-client.ts';
import { startReconciliationRun } from '../../workflows/reconciliation-client.ts';
import { startReversalWorkflow } from '../../workflows/reversal-client.ts';
import type { SettlementCalendar } from '../../workflows/schedules.ts';
import { runSettlementClose } from '../../workflows/settlement-client.ts';
import type { TransferTimeouts } from '../../workflows/transfer.workflow.ts';
import { startTransferWorkflow } from '../../workflows/transfer-client.ts';
import { startPendingTransferWebhooks } from '../../workflows/transfer-webhooks-client.ts';
import { createWorker } from '../../workflows/worker-factory.ts';
import { useOwnTestDatabase, useTestDatabase } from './database.ts';
import { createSigner, type Signer, signerFor, testAudience } from './signer.ts';

export const testGatewayIssuer = 'points-alliance-gateway';

export const testGatewayOptions: GatewayOptions = {
  audience: testAudience,
  bodySizeMaxBytes: 64 * 1024,
  signedRequestLifetimeMaxSeconds: 300,
  clockSkewSeconds: 5,
  idempotencyLockSeconds: 30,
};

export interface CallOptions {
  body?: unknown;
  /** Sent as is, instead of JSON-encoding `body`. */
  rawBody?: string;
  idempotencyKey?: string | null;
  headers?: Record<string, string>;
  token?: Partial<SignRequestInput>;
  /** Sign this path instead of the one requested. */
  signedPath?: string;
}

export interface TestGateway {
  app: ReturnType<typeof createApp>;
  db: Db;
  temporal: Client;
  operator: Signer;
  /** Signs as the alliance's finance team. */
  finance: Signer;
  gatewayKey: SigningKeyPair;
  taskQueue: string;
  call(signer: Signer | null, method: string, path: string, options?: CallOptions): Promise<Response>;
  onboardPartner(
    name?: string,
    signer?: Signer,
    extra?: {
      ledger?: 'hosted' | 'partner_system';
      loyaltyApiUrl?: string | null;
      webhookUrl?: string | null;
    },
  ): Promise<{ partner: PartnerView; signer: Signer }>;
}

/** Short budgets, so that a partner that never answers costs a test seconds, not minutes. */
/**
 * The interval of the Schedules tests trigger by hand. Intervals count from the epoch, so an hourly one
 * fired at every o'clock, in the middle of whichever test ran then (a sweep finished a refund a test
 * had just left pending); ten years from the epoch next falls in 2030.
 */
const triggeredOnlySeconds = 10 * 365 * 86_400;

export const testTransferTimeouts: TransferTimeouts = {
  stepAttemptMs: 1_500,
  stepTotalMs: 4_000,
  settleTotalMs: 20_000,
  reservationTtlMs: 60_000,
  webhookTotalMs: 3_000,
};
export const testPartnerCallTimeoutMs = 1_000;

export interface TestGatewayOptions {
  readiness?: ReadinessChecks;
  /** Runs a worker of this file's own, on its own task queue, for tests that move points. */
  worker?: boolean;
  /** Changes some of the short budgets below (a hold shorter than an outcome question, say). */
  transferTimeouts?: Partial<TransferTimeouts>;
  coolingOffHours?: number;
  /** How long a claimed Idempotency-Key is held by a request that stopped renewing it. */
  idempotencyLockSeconds?: number;
  /** Replaces the Temporal client that starts transfers (a client of a server that is down, say). */
  transferClient?: Client;
  /** The worker also sweeps stranded transfers, on a Schedule that runs when triggered. */
  strandedTransfers?: { untouchedSeconds: number };
  /** The worker also closes settlement cycles on this calendar (a Schedule of its own task queue). */
  settlement?: SettlementCalendar;
  /** The worker also checks conservation, on a Schedule that runs when triggered. */
  conservation?: { operatorWebhookUrl: string | null; reservationGraceSeconds?: number };
  /** The worker also reconciles daily (a Schedule that runs when triggered), with this tolerance. */
  reconciliation?: { toleranceMs: number; timeZone?: string };
  /** The worker also expires coupons, on a Schedule that runs when triggered. */
  couponExpiry?: { batchSize?: number };
  /** The worker also expires hosted points and sends reminders, on a Schedule that runs when triggered. */
  pointsExpiry?: boolean;
  /** The worker also syncs partners' catalog feeds, on a Schedule that runs when triggered. */
  catalogSync?: boolean;
  /** The worker also sweeps points payments (expiry, stranded operations), on a Schedule that runs when triggered. */
  pointsPayments?: { untouchedSeconds: number };
  /** A database of this file's own (named so), for tests of alliance-wide state such as cycles. */
  ownDatabase?: string;
  /** Another gateway's database: a second gateway of the same alliance (e.g. one whose Temporal is down). */
  database?: Db;
  /** Runs the app as the partner sandbox, with these stand-ins' fault switches. */
  sandbox?: { faults: SandboxFaultSwitches };
  /** The partner sandbox beside this (live) gateway, for the operator's sandbox credentials. */
  sandboxProvisioner?: SandboxProvisioner;
  /** GET /metrics asks for this bearer token. */
  metrics?: MetricsRouteOptions;
}

export async function createTestGateway(overrides: TestGatewayOptions = {}): Promise<TestGateway> {
  const timeouts: TransferTimeouts = { ...testTransferTimeouts, ...overrides.transferTimeouts };
  const db =
    overrides.database ??
    (overrides.ownDatabase ? await useOwnTestDatabase(overrides.ownDatabase, 10) : useTestDatabase(10));
  const temporal = await connectTemporalClient(inject('temporalAddress'), 'default');
  afterAll(() => temporal.connection.close());
  const operator = await createSigner('operator', 'EdDSA');
  const finance = await createSigner('finance', 'EdDSA');
  const gatewayKey = await generateSigningKeyPair('ES256');
  const taskQueue = `test-${randomUUID()}`;
  if (overrides.worker) {
    const { worker, connection, adapters } = await createWorker({
      db,
      address: inject('temporalAddress'),
      namespace: 'default',
      taskQueue,
      logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'error', 'test-worker'),
      gatewayIssuer: testGatewayIssuer,
      gatewayKey,
      partnerCallTimeoutMs: testPartnerCallTimeoutMs,
      ...(overrides.strandedTransfers
        ? {
            strandedTransfers: {
              timeouts: timeouts,
              everySeconds: triggeredOnlySeconds,
              untouchedSeconds: overrides.strandedTransfers.untouchedSeconds,
            },
          }
        : {}),
      ...(overrides.settlement ? { settlement: overrides.settlement } : {}),
      ...(overrides.reconciliation
        ? {
            reconciliation: {
              toleranceMs: overrides.reconciliation.toleranceMs,
              daily: { hour: 3, minute: 0, timeZone: overrides.reconciliation.timeZone ?? 'UTC' },
            },
          }
        : {}),
      ...(overrides.couponExpiry
        ? {
            couponExpiry: {
              everySeconds: triggeredOnlySeconds,
              timeouts: timeouts,
              ...overrides.couponExpiry,
            },
          }
        : {}),
      ...(overrides.catalogSync ? { catalogSync: { everySeconds: triggeredOnlySeconds } } : {}),
      ...(overrides.pointsExpiry ? { pointsExpiry: { everySeconds: triggeredOnlySeconds } } : {}),
      ...(overrides.pointsPayments
        ? {
            pointsPayments: {
              everySeconds: triggeredOnlySeconds,
              untouchedSeconds: overrides.pointsPayments.untouchedSeconds,
              timeouts: timeouts,
            },
          }
        : {}),
      ...(overrides.conservation
        ? {
            conservation: {
              // Also how long an alert is retried (workflows/schedules.ts): kept at an hour.
              everySeconds: 3_600,
              reservationGraceSeconds: overrides.conservation.reservationGraceSeconds ?? 60,
              operatorWebhookUrl: overrides.conservation.operatorWebhookUrl,
            },
          }
        : {}),
    });
    const running = worker.run();
    afterAll(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
      await adapters.close();
    });
  }
  const app = createApp({
    db,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    options: { ...testGatewayOptions, idempotencyLockSeconds: overrides.idempotencyLockSeconds ?? 30 },
    operatorPublicKeys: [operator.key.publicJwk],
    financePublicKeys: [finance.key.publicJwk],
    gatewayPublicKeys: [gatewayKey.publicJwk],
    readiness: overrides.readiness ?? readinessChecks(db, temporal),
    exchange: {
      quoteLifetimeSeconds: 60,
      coolingOffHours: overrides.coolingOffHours ?? 0,
      coolingOffCapSourcePoints: 1_000n,
    },
    startTransfer: (transferId) =>
      startTransferWorkflow(
        {
          client: overrides.transferClient ?? temporal,
          taskQueue,
          timeouts: timeouts,
          replyWaitMs: 8_000,
        },
        transferId,
      ),
    startTransferWebhooks: (transferId) =>
      startPendingTransferWebhooks(
        { client: overrides.transferClient ?? temporal, db, taskQueue, timeouts: timeouts },
        transferId,
      ),
    startReversal: (reversalId) =>
      startReversalWorkflow(
        {
          client: overrides.transferClient ?? temporal,
          taskQueue,
          timeouts: timeouts,
          replyWaitMs: 8_000,
        },
        reversalId,
      ),
    startAccrual: (accrualId) =>
      startAccrualWorkflow(
        {
          client: overrides.transferClient ?? temporal,
          taskQueue,
          timeouts: timeouts,
          replyWaitMs: 8_000,
        },
        accrualId,
      ),
    startAccrualReversal: (reversalId) =>
      startAccrualReversalWorkflow(
        {
          client: overrides.transferClient ?? temporal,
          taskQueue,
          timeouts: timeouts,
          replyWaitMs: 8_000,
        },
        reversalId,
      ),
    startReconciliation: (runId) =>
      startReconciliationRun({ client: temporal, taskQueue, replyWaitMs: 20_000 }, runId),
    startOrder: (orderId) =>
      startCatalogOrder(
        { client: overrides.transferClient ?? temporal, taskQueue, timeouts: timeouts },
        orderId,
      ),
    startDraw: (itemId) =>
      startDrawClosing(
        {
          client: overrides.transferClient ?? temporal,
          taskQueue,
          webhookTotalMs: timeouts.webhookTotalMs,
        },
        itemId,
      ),
    pointsPayments: {
      startOperation: (operationId) =>
        startPointsPaymentOperation(
          {
            client: overrides.transferClient ?? temporal,
            taskQueue,
            timeouts: timeouts,
            replyWaitMs: 8_000,
          },
          operationId,
        ),
      reservationGraceMs: timeouts.settleTotalMs,
    },
    signDocument: (document) => signDocument(gatewayKey, document),
    closeSettlement: (periodLabel) =>
      runSettlementClose({ client: temporal, taskQueue, waitMs: 60_000 }, periodLabel),
    sandbox: overrides.sandbox,
    sandboxProvisioner: overrides.sandboxProvisioner,
    metrics: overrides.metrics,
  });

  const call: TestGateway['call'] = async (signer, method, path, options = {}) => {
    const body = options.rawBody ?? (options.body === undefined ? '' : JSON.stringify(options.body));
    const headers: Record<string, string> = { ...options.headers };
    if (body !== '') headers['content-type'] ??= 'application/json';
    if (method === 'POST' && options.idempotencyKey !== null) {
      headers['idempotency-key'] = options.idempotencyKey ?? randomUUID();
    }
    if (signer) {
      const token = await signer.sign(method, options.signedPath ?? path, body, options.token);
      headers.authorization ??= `Bearer ${token}`;
    }
    return app.request(path, { method, headers, ...(body === '' ? {} : { body }) });
  };

  const onboardPartner: TestGateway['onboardPartner'] = async (name = 'Test Partner', signer, extra = {}) => {
    const partnerSigner = signer ?? (await createSigner('pending', 'ES256'));
    const response = await call(operator, 'POST', '/v1/operator/partners', {
      body: {
        name,
        programs: [{ name: `${name} Rewards`, unitName: 'points', ledger: extra.ledger ?? 'partner_system' }],
        keys: [partnerSigner.key.publicJwk],
        loyaltyApiUrl: extra.loyaltyApiUrl ?? null,
        webhookUrl: extra.webhookUrl ?? null,
      },
    });
    if (response.status !== 201)
      throw new Error(`onboarding failed: ${response.status} ${await response.text()}`);
    const partner = (await response.json()) as PartnerView;
    return { partner, signer: signerFor(partner.id, partnerSigner.key) };
  };

  return { app, db, temporal, operator, finance, gatewayKey, taskQueue, call, onboardPartner };
}
