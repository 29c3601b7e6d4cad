// The gateway's HTTP server. `startGatewayServer` is used by `npm start` and the tests that need
// real HTTP; run this file directly (`npm run gateway`) for the production-like topology, where
// DATABASE_URL, TEMPORAL_ADDRESS and both key sets come from the environment.
import type { Client } from '@temporalio/client';
import type { JWK } from 'jose';
import { type Config, transferTimeouts } from '../runtime/config.ts';
import type { Logger } from '../runtime/logger.ts';
import type { GatewayKeys } from '../runtime/signing-keys.ts';
import type { SandboxFaultSwitches, SandboxProvisioner } from '../services/sandbox.ts';
import { signDocument } from '../signing/documents.ts';
import type { Db } from '../store/connection.ts';
import { startAccrualReversalWorkflow, startAccrualWorkflow } from '../workflows/accrual-client.ts';
import { startCatalogOrder } from '../workflows/catalog-order-client.ts';
import { startDrawClosing } from '../workflows/draw-client.ts';
import { startPointsPaymentOperation } from '../workflows/points-payment-client.ts';
import { startReconciliationRun } from '../workflows/reconciliation-client.ts';
import { startReversalWorkflow } from '../workflows/reversal-client.ts';
import { runSettlementClose } from '../workflows/settlement-client.ts';
import { startTransferWorkflow } from '../workflows/transfer-client.ts';
import { startPendingTransferWebhooks } from '../workflows/transfer-webhooks-client.ts';
import { createApp } from './app.ts';
import { startHousekeeping } from './housekeeping.ts';
import { listenGateway } from './http-server.ts';
import { readinessChecks } from './readiness.ts';

export interface GatewayServerDependencies {
  config: Config;
  db: Db;
  temporal: Client;
  logger: Logger;
  gatewayKeys: GatewayKeys;
  operatorPublicKeys: readonly JWK[];
  financePublicKeys?: readonly JWK[];
  /** Runs this server as the partner sandbox, with routes to its stand-ins' fault switches. */
  sandbox?: { faults: SandboxFaultSwitches };
  /** The partner sandbox beside this live gateway (the operator's sandbox credentials). */
  sandboxProvisioner?: SandboxProvisioner;
}

export interface RunningGateway {
  url: string;
  close(): Promise<void>;
}

export async function startGatewayServer(deps: GatewayServerDependencies): Promise<RunningGateway> {
  const { config } = deps;
  const app = createApp({
    db: deps.db,
    logger: deps.logger,
    options: {
      audience: config.GATEWAY_AUDIENCE,
      bodySizeMaxBytes: config.REQUEST_BODY_SIZE_MAX_BYTES,
      signedRequestLifetimeMaxSeconds: config.SIGNED_REQUEST_LIFETIME_MAX_SECONDS,
      clockSkewSeconds: config.SIGNED_REQUEST_CLOCK_SKEW_SECONDS,
      idempotencyLockSeconds: config.IDEMPOTENCY_LOCK_SECONDS,
    },
    operatorPublicKeys: deps.operatorPublicKeys,
    financePublicKeys: deps.financePublicKeys ?? [],
    gatewayPublicKeys: deps.gatewayKeys.publicKeys,
    readiness: readinessChecks(deps.db, deps.temporal),
    metrics: { bearerToken: config.METRICS_TOKEN ?? null },
    sandbox: deps.sandbox,
    sandboxProvisioner: deps.sandboxProvisioner,
    console: {
      // Over plain HTTP on a developer's machine a Secure cookie would never be sent back.
      secureCookies: config.NODE_ENV !== 'development',
      temporalUi: config.TEMPORAL_UI_URL
        ? { url: config.TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE }
        : null,
    },
    exchange: {
      quoteLifetimeSeconds: config.QUOTE_LIFETIME_SECONDS,
      coolingOffHours: config.COOLING_OFF_HOURS,
      coolingOffCapSourcePoints: BigInt(config.COOLING_OFF_CAP_SOURCE_POINTS),
    },
    startTransfer: (transferId) =>
      startTransferWorkflow(
        {
          client: deps.temporal,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          timeouts: transferTimeouts(config),
          replyWaitMs: config.TRANSFER_REPLY_WAIT_MS,
        },
        transferId,
      ),
    startTransferWebhooks: (transferId) =>
      startPendingTransferWebhooks(
        {
          client: deps.temporal,
          db: deps.db,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          timeouts: transferTimeouts(config),
        },
        transferId,
      ),
    startReversal: (reversalId) =>
      startReversalWorkflow(
        {
          client: deps.temporal,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          timeouts: transferTimeouts(config),
          replyWaitMs: config.TRANSFER_REPLY_WAIT_MS,
        },
        reversalId,
      ),
    startAccrual: (accrualId) =>
      startAccrualWorkflow(
        {
          client: deps.temporal,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          timeouts: transferTimeouts(config),
          replyWaitMs: config.TRANSFER_REPLY_WAIT_MS,
        },
        accrualId,
      ),
    startAccrualReversal: (reversalId) =>
      startAccrualReversalWorkflow(
        {
          client: deps.temporal,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          timeouts: transferTimeouts(config),
          replyWaitMs: config.TRANSFER_REPLY_WAIT_MS,
        },
        reversalId,
      ),
    startReconciliation: (runId) =>
      startReconciliationRun(
        {
          client: deps.temporal,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          replyWaitMs: config.TRANSFER_REPLY_WAIT_MS,
        },
        runId,
      ),
    startOrder: (orderId) =>
      startCatalogOrder(
        { client: deps.temporal, taskQueue: config.TEMPORAL_TASK_QUEUE, timeouts: transferTimeouts(config) },
        orderId,
      ),
    startDraw: (itemId) =>
      startDrawClosing(
        {
          client: deps.temporal,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          webhookTotalMs: transferTimeouts(config).webhookTotalMs,
        },
        itemId,
      ),
    pointsPayments: {
      startOperation: (operationId) =>
        startPointsPaymentOperation(
          {
            client: deps.temporal,
            taskQueue: config.TEMPORAL_TASK_QUEUE,
            timeouts: transferTimeouts(config),
            replyWaitMs: config.TRANSFER_REPLY_WAIT_MS,
          },
          operationId,
        ),
      reservationGraceMs: transferTimeouts(config).settleTotalMs,
    },
    signDocument: (document) => signDocument(deps.gatewayKeys.signing, document),
    closeSettlement: (periodLabel) =>
      runSettlementClose(
        {
          client: deps.temporal,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          waitMs: config.SETTLEMENT_CLOSE_WAIT_MS,
        },
        periodLabel,
      ),
  });
  const stopHousekeeping = startHousekeeping({
    db: deps.db,
    logger: deps.logger,
    idempotencyRetentionHours: config.IDEMPOTENCY_RETENTION_HOURS,
  });
  // listenGateway answers the requests Node's parser refuses as problem+json too.
  const server = await listenGateway(app, {
    hostname: config.HOST,
    port: config.PORT,
    serverOptions: { headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000 },
    logger: deps.logger,
  });
  deps.logger.info({ url: server.url }, 'gateway listening');
  return {
    url: server.url,
    close: async () => {
      stopHousekeeping();
      await server.close();
    },
  };
}
