// The one factory that builds the gateway's Hono app; the server and the tests both call it.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { OpenAPIHono } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import { ProblemError } from '../domain/errors.ts';
import type { Logger } from '../runtime/logger.ts';
import { activeTracing, requestIdAttribute, withCarriedId } from '../runtime/tracing.ts';
import type { AccrualStarter } from '../services/accruals.ts';
import type { OrderStarter } from '../services/catalog-orders.ts';
import type { SignInPolicy } from '../services/console-accounts.ts';
import { createServiceContext, type ServiceContext } from '../services/context.ts';
import type { DrawStarter } from '../services/draws.ts';
import type { PaymentOperationStarter } from '../services/points-payments.ts';
import type { QuotePolicy } from '../services/quotes.ts';
import type { ReconciliationStarter } from '../services/reconciliation.ts';
import type { ReversalStarter } from '../services/reversals.ts';
import type { SandboxFaultSwitches, SandboxProvisioner } from '../services/sandbox.ts';
import type { SettlementCloser } from '../services/settlement.ts';
import type { DocumentSigner } from '../services/settlement-statements.ts';
import type { TransferStarter, TransferWebhooksStarter } from '../services/transfers.ts';
import { createRequestVerifier } from '../signing/request-verifier.ts';
import type { Database } from '../store/database.ts';
import { findVerificationKeys } from '../store/partners.ts';
import { recordNonce } from '../store/request-nonces.ts';
import { registerApiReference } from './api-reference.ts';
import { createIssuerKeyCache } from './auth/issuer-key-cache.ts';
import { bodySizeLimit } from './body-size.ts';
import { type ConsoleOptions, createConsole } from './console/console-app.ts';
import { financeIssuer, type GatewayEnv, operatorIssuer } from './context.ts';
import { httpMetrics } from './http-metrics.ts';
import { requireJsonBodies } from './json-bodies.ts';
import { gatewayOpenApiDocument, registerSecuritySchemes } from './openapi-document.ts';
import { problemResponse, validationProblem } from './problem.ts';
import { checkRequestTarget } from './request-target.ts';
import { registerAccrualRoutes } from './routes/accruals.ts';
import { registerAnalyticsRoutes } from './routes/analytics.ts';
import { registerCampaignRoutes } from './routes/campaigns.ts';
import { registerCashAgreementRoutes } from './routes/cash-agreements.ts';
import { registerCatalogRoutes } from './routes/catalog.ts';
import { registerCouponRoutes } from './routes/coupons.ts';
import { registerDrawRoutes } from './routes/draws.ts';
import { registerEarnAgreementRoutes } from './routes/earn-agreements.ts';
import { registerFinanceFlagRoutes } from './routes/finance-flags.ts';
import { registerFinanceSettlementRoutes } from './routes/finance-settlement.ts';
import { registerFinanceSweepRoutes } from './routes/finance-sweeps.ts';
import { type ReadinessChecks, registerHealthRoutes } from './routes/health.ts';
import { registerHostedAccountRoutes } from './routes/hosted-accounts.ts';
import { registerMemberLinkRoutes } from './routes/member-links.ts';
import { type MetricsRouteOptions, registerMetricsRoute } from './routes/metrics.ts';
import { registerOperatorConservationRoutes } from './routes/operator-conservation.ts';
import { registerOperatorConsoleUserRoutes } from './routes/operator-console-users.ts';
import { registerOperatorLedgerRoutes } from './routes/operator-ledger.ts';
import { registerOperatorPartnerRoutes } from './routes/operator-partners.ts';
import { registerOperatorSandboxCredentialRoutes } from './routes/operator-sandbox-credentials.ts';
import { registerPartnerProfileRoutes } from './routes/partner-profile.ts';
import { registerPointsExpiryRoutes } from './routes/points-expiry.ts';
import { registerPointsPaymentRoutes } from './routes/points-payments.ts';
import { registerQuoteRoutes } from './routes/quotes.ts';
import { registerRateAgreementRoutes } from './routes/rate-agreements.ts';
import { registerReconciliationRoutes } from './routes/reconciliation.ts';
import { registerReversalRoutes } from './routes/reversals.ts';
import { registerSandboxRoutes } from './routes/sandbox.ts';
import { registerSettlementRoutes } from './routes/settlement.ts';
import { registerTheftHoldRoutes } from './routes/theft-holds.ts';
import { registerTransferRoutes } from './routes/transfers.ts';
import { registerWebhookDeliveryRoutes } from './routes/webhook-deliveries.ts';
import { registerWellKnownRoutes } from './routes/well-known.ts';
import { isOutOfRange, translateError } from './unexpected-errors.ts';
import { registerWebhooks } from './webhooks-document.ts';

// Loaded only when this process traces: @hono/otel brings OpenTelemetry's semantic conventions,
// incubating ones included (about 2 MiB of source and the objects it builds), into every gateway.
// Its ES module, as an import would load it: the CommonJS build requires hono's CommonJS copy,
// whose route helpers cannot read a request of this (ES module) app.
const require = createRequire(import.meta.url);
function loadHonoOtel() {
  return require(fileURLToPath(import.meta.resolve('@hono/otel'))) as typeof import('@hono/otel');
}

export interface GatewayOptions {
  audience: string;
  bodySizeMaxBytes: number;
  signedRequestLifetimeMaxSeconds: number;
  clockSkewSeconds: number;
  idempotencyLockSeconds: number;
  /** How long a partner's keys and status are cached; changes made here take effect at once. */
  issuerKeyCacheMs?: number;
}

export interface GatewayDependencies {
  db: Kysely<Database>;
  /** The use cases' context with this process's caches; made here when not given. */
  services?: ServiceContext;
  logger: Logger;
  options: GatewayOptions;
  exchange: QuotePolicy & { coolingOffHours: number };
  /** Starts (or finds) a transfer's workflow and waits briefly for its outcome. */
  startTransfer: TransferStarter;
  /** Starts the webhook delivery of a transfer settled without a workflow; absent: the sweep does. */
  startTransferWebhooks?: TransferWebhooksStarter;
  /** Starts (or finds) a reversal's workflow and waits briefly for its outcome. */
  startReversal: ReversalStarter;
  /** Starts (or finds) an accrual's workflow, or a refund's, and waits briefly for its outcome. */
  startAccrual: AccrualStarter;
  startAccrualReversal: AccrualStarter;
  /** Starts a reconciliation run's workflow and waits briefly for it. */
  startReconciliation: ReconciliationStarter;
  /** Starts a catalog order's workflow (the reply does not wait for it). */
  startOrder: OrderStarter;
  /** Starts (or finds) a draw's close workflow, when the draw is published. */
  startDraw: DrawStarter;
  /** Points payments: starts (or finds) an operation's workflow and waits briefly for its outcome. */
  pointsPayments: { startOperation: PaymentOperationStarter; reservationGraceMs: number };
  /** Runs (or finds) the settlement close of a period and answers with its cycle's id. */
  closeSettlement: SettlementCloser;
  /** Signs documents partners keep (statements) with the gateway's key. */
  signDocument: DocumentSigner;
  operatorPublicKeys: readonly JWK[];
  /** The finance team's public keys; none means no finance caller is accepted. */
  financePublicKeys?: readonly JWK[];
  gatewayPublicKeys: readonly JWK[];
  readiness: ReadinessChecks;
  /** The web console at /console; without it, Secure cookies and no Temporal UI links. */
  console?: ConsoleOptions & { signInPolicy?: SignInPolicy };
  /** This gateway is the partner sandbox: its stand-ins' fault switches get routes of their own. */
  sandbox?: { faults: SandboxFaultSwitches };
  /** The partner sandbox beside this live gateway, for the operator's sandbox credentials; none: 404 sandbox_not_enabled. */
  sandboxProvisioner?: SandboxProvisioner;
  /** GET /metrics: the bearer token a scrape needs (none when absent). */
  metrics?: MetricsRouteOptions;
}

export function createApp(deps: GatewayDependencies): OpenAPIHono<GatewayEnv> {
  const app = new OpenAPIHono<GatewayEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationProblem(result.error, result.target);
    },
  });
  const issuerKeys = createIssuerKeyCache(
    async (issuer) =>
      issuer === operatorIssuer
        ? { status: 'active', keys: [...deps.operatorPublicKeys] }
        : issuer === financeIssuer
          ? { status: 'active', keys: [...(deps.financePublicKeys ?? [])] }
          : findVerificationKeys(deps.db, issuer),
    deps.options.issuerKeyCacheMs ?? 5_000,
  );
  const verify = createRequestVerifier({
    audience: deps.options.audience,
    lifetimeMaxSeconds: deps.options.signedRequestLifetimeMaxSeconds,
    clockSkewSeconds: deps.options.clockSkewSeconds,
    resolveIssuer: (issuer) => issuerKeys.get(issuer),
    recordNonce: (issuer, jti, expiresAt) => recordNonce(deps.db, issuer, jti, expiresAt),
  });

  app.use(requestId({ headerName: 'X-Request-Id' }));
  app.use(httpMetrics());
  if (activeTracing()) {
    // A server span per request, named by route template; the request id rides along as baggage.
    app.use(loadHonoOtel().httpInstrumentationMiddleware());
    app.use((c, next) => withCarriedId(requestIdAttribute, c.get('requestId'), next));
  }
  app.use(async (c, next) => {
    const logger = deps.logger.child({ requestId: c.get('requestId') });
    c.set('logger', logger);
    const startedAt = performance.now();
    await next();
    const durationMs = Math.round((performance.now() - startedAt) * 10) / 10;
    logger.info({ method: c.req.method, path: c.req.path, status: c.res.status, durationMs }, 'request');
  });
  // Before anything reads the request: a wrong method or an undecodable URL is refused as such.
  app.use(checkRequestTarget(() => app.routes));
  app.use(
    bodySizeLimit<GatewayEnv>({
      maxSize: deps.options.bodySizeMaxBytes,
      onError: (c) =>
        problemResponse(
          c,
          new ProblemError(
            'payload_too_large',
            `The body may be at most ${deps.options.bodySizeMaxBytes} bytes.`,
          ),
        ),
    }),
  );
  app.use(requireJsonBodies());
  // Each route declares who may call it (gateway/auth/route-access.ts); its guards read these.
  const requestGuards = { verify, db: deps.db, idempotencyLockSeconds: deps.options.idempotencyLockSeconds };
  app.use(async (c, next) => {
    c.set('requestGuards', requestGuards);
    await next();
  });

  const services = deps.services ?? createServiceContext(deps.db);
  registerSecuritySchemes(app);
  registerHealthRoutes(app, deps.readiness);
  registerWellKnownRoutes(app, deps.gatewayPublicKeys);
  registerMetricsRoute(app, services, deps.logger, deps.metrics ?? { bearerToken: null });
  registerOperatorPartnerRoutes(app, services, (partnerId) => issuerKeys.invalidate(partnerId));
  registerOperatorSandboxCredentialRoutes(app, services, deps.sandboxProvisioner);
  if (deps.sandbox) registerSandboxRoutes(app, deps.sandbox.faults);
  registerPartnerProfileRoutes(app, services);
  registerMemberLinkRoutes(app, services, deps.exchange.coolingOffHours);
  registerRateAgreementRoutes(app, services);
  registerQuoteRoutes(app, services, deps.exchange);
  registerTransferRoutes(app, services, {
    startTransfer: deps.startTransfer,
    ...(deps.startTransferWebhooks ? { startWebhooks: deps.startTransferWebhooks } : {}),
    policy: deps.exchange,
  });
  registerTheftHoldRoutes(app, services, {
    startTransfer: deps.startTransfer,
    ...(deps.startTransferWebhooks ? { startWebhooks: deps.startTransferWebhooks } : {}),
  });
  registerCampaignRoutes(app, services);
  registerReversalRoutes(app, services, deps.startReversal);
  registerWebhookDeliveryRoutes(app, services);
  registerHostedAccountRoutes(app, services);
  registerPointsExpiryRoutes(app, services);
  registerOperatorLedgerRoutes(app, services);
  registerOperatorConservationRoutes(app, services);
  registerSettlementRoutes(app, services, deps.signDocument);
  registerFinanceSettlementRoutes(app, services, deps.closeSettlement);
  registerReconciliationRoutes(app, services, deps.startReconciliation);
  registerFinanceFlagRoutes(app, services);
  registerCatalogRoutes(app, services, {
    startOrder: deps.startOrder,
    quoteLifetimeSeconds: deps.exchange.quoteLifetimeSeconds,
    startDraw: deps.startDraw,
  });
  registerDrawRoutes(app, services);
  registerCouponRoutes(app, services);
  registerFinanceSweepRoutes(app, services);
  registerOperatorConsoleUserRoutes(app, services);
  app.route(
    '/console',
    createConsole(services, {
      secureCookies: true,
      temporalUi: null,
      ...deps.console,
      signDocument: deps.signDocument,
      partnerChanged: (partnerId) => issuerKeys.invalidate(partnerId),
    }),
  );
  registerEarnAgreementRoutes(app, services);
  registerAccrualRoutes(app, services, {
    startAccrual: deps.startAccrual,
    startAccrualReversal: deps.startAccrualReversal,
  });
  registerCashAgreementRoutes(app, services);
  registerPointsPaymentRoutes(app, services, deps.pointsPayments);
  registerAnalyticsRoutes(app, services);
  registerWebhooks(app);

  // Built at the first request, once every route is registered; the routes never change after.
  let document: ReturnType<typeof gatewayOpenApiDocument> | undefined;
  app.get('/openapi.json', (c) => {
    document ??= gatewayOpenApiDocument(app);
    return c.json(document, 200);
  });
  registerApiReference(app);

  app.notFound((c) =>
    problemResponse(c, new ProblemError('not_found', `No route matches ${c.req.method} ${c.req.path}.`)),
  );
  app.onError((error, c) => {
    const problem = translateError(error);
    if (problem.status >= 500) {
      (c.get('logger') ?? deps.logger).error({ err: error, code: problem.code }, 'unhandled error');
    } else if (isOutOfRange(error)) {
      (c.get('logger') ?? deps.logger).warn(
        { err: error },
        'a figure past its column, refused by the database',
      );
    }
    return problemResponse(c, problem);
  });
  return app;
}
