// The reference partner: a small, real loyalty system speaking the partner contract. The demo, the
// tests and the benchmarks run it; its fault switches (under /_control, unsigned, loopback only)
// produce the failures a real partner would. openapi/partner.json is generated from these routes.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { JWK } from 'jose';
import {
  Balance,
  CreditBody,
  OperationKey,
  OperationResult,
  OperationState,
  Refusal,
  ReserveBody,
  ResolveBody,
  ReverseBody,
  ReverseResult,
  Transactions,
  TransactionsQuery,
} from '../adapters/partner-contract.ts';
import { createRequestVerifier } from '../signing/request-verifier.ts';
import { type ConformanceBreakage, createBreakage } from './breakages.ts';
import { createCatalogFeed, registerCatalogFeedRoutes } from './catalog-feed.ts';
import { createFaultPlan, type FaultPlan, type PartnerOperationName, sleep } from './faults.ts';

type PartnerStepName = Exclude<PartnerOperationName, 'outcome' | 'transactions' | 'webhook' | 'catalog'>;

import { registerControlRoutes } from './control-routes.ts';
import { ReferencePartnerError } from './errors.ts';
import { portionsFromBody, portionsToJson } from './lots.ts';
import { createReportQuirks } from './report-quirks.ts';
import type { PartnerBooks, PartnerOutcome } from './store.ts';

export interface ReferencePartnerOptions {
  /** The partner id the gateway gave this partner: the audience of the gateway's calls to it. */
  partnerId: () => string;
  books: PartnerBooks;
  /** The issuer the gateway signs as, and its public keys (read from its JWKS). */
  gatewayIssuer: string;
  gatewayPublicKeys: () => readonly JWK[];
  faults?: FaultPlan;
  /** Only to prove the conformance command: a rule of the contract this partner breaks (breakages.ts). */
  brokenFor?: ConformanceBreakage;
}

const security = [{ gatewaySignature: [] }];
const refusalResponse = {
  content: { 'application/json': { schema: Refusal } },
  description: 'Refused for good',
};
const resultResponse = (description: string) => ({
  content: { 'application/json': { schema: OperationResult } },
  description,
});
const unavailable = { description: 'Not now: retry with the same key, or ask for the outcome of the key' };
const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});
const KeyPath = z.object({ key: OperationKey.openapi({ param: { name: 'key', in: 'path' } }) });

const routes = {
  reserve: createRoute({
    method: 'post',
    path: '/loyalty/reservations',
    summary: "Hold a member's points for a transfer out (a pending debit)",
    security,
    request: { body: jsonBody(ReserveBody) },
    responses: { 201: resultResponse('Held'), 422: refusalResponse, 503: unavailable },
  }),
  post: createRoute({
    method: 'post',
    path: '/loyalty/reservations/{key}/post',
    summary: 'Make a hold final: the points leave the member',
    security,
    request: { params: KeyPath, body: jsonBody(ResolveBody) },
    responses: { 200: resultResponse('Posted'), 422: refusalResponse, 503: unavailable },
  }),
  void: createRoute({
    method: 'post',
    path: '/loyalty/reservations/{key}/void',
    summary: 'Release a hold: the points go back to the member',
    security,
    request: { params: KeyPath, body: jsonBody(ResolveBody) },
    responses: { 200: resultResponse('Voided'), 422: refusalResponse, 503: unavailable },
  }),
  credit: createRoute({
    method: 'post',
    path: '/loyalty/credits',
    summary: 'Credit a member with points arriving by transfer',
    security,
    request: { body: jsonBody(CreditBody) },
    responses: { 201: resultResponse('Credited'), 422: refusalResponse, 503: unavailable },
  }),
  reverse: createRoute({
    method: 'post',
    path: '/loyalty/credits/{key}/reverse',
    summary: 'Take back a credit',
    security,
    request: { params: KeyPath, body: jsonBody(ReverseBody) },
    responses: {
      200: { content: { 'application/json': { schema: ReverseResult } }, description: 'Reversed' },
      422: refusalResponse,
      503: unavailable,
    },
  }),
  outcome: createRoute({
    method: 'get',
    path: '/loyalty/operations/{key}',
    summary: 'What became of the operation with this key (and fence it if it never arrived)',
    security,
    request: { params: KeyPath },
    responses: {
      200: { content: { 'application/json': { schema: OperationState } }, description: 'The state' },
      503: unavailable,
    },
  }),
  transactions: createRoute({
    method: 'get',
    path: '/loyalty/transactions',
    summary: 'Operations that took effect in a period, for reconciliation',
    security,
    request: { query: TransactionsQuery },
    responses: {
      200: { content: { 'application/json': { schema: Transactions } }, description: 'The operations' },
      503: { description: 'Not now: ask for the list again later' },
    },
  }),
  balance: createRoute({
    method: 'get',
    path: '/loyalty/accounts/{accountRef}',
    summary: "A member account's balance",
    security,
    request: {
      params: z.object({
        accountRef: z
          .string()
          .min(1)
          .max(200)
          .openapi({ param: { name: 'accountRef', in: 'path' } }),
      }),
    },
    responses: {
      200: { content: { 'application/json': { schema: Balance } }, description: 'The balance' },
      404: refusalResponse,
    },
  }),
};

export function createReferencePartnerApp({ brokenFor, ...given }: ReferencePartnerOptions) {
  const breakage = createBreakage(given.books, brokenFor);
  const options = { ...given, books: breakage.books };
  const faults = options.faults ?? createFaultPlan();
  const reportQuirks = createReportQuirks();
  const catalogFeed = createCatalogFeed();
  const seenNonces = new Map<string, number>();
  const verify = createRequestVerifier({
    audience: options.partnerId,
    lifetimeMaxSeconds: 300,
    clockSkewSeconds: 5,
    resolveIssuer: async (issuer) =>
      issuer === options.gatewayIssuer
        ? { status: 'active', keys: [...options.gatewayPublicKeys()] }
        : undefined,
    // In memory: a reference server keeps nonces only while it runs, which is enough for its role.
    recordNonce: async (issuer, jti, expiresAt) => {
      const now = Date.now();
      for (const [seen, until] of seenNonces) if (until < now) seenNonces.delete(seen);
      if (seenNonces.has(`${issuer}:${jti}`)) return false;
      seenNonces.set(`${issuer}:${jti}`, expiresAt.getTime());
      return true;
    },
  });

  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) return c.json({ code: 'validation_failed', detail: result.error.message }, 400);
    },
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'gatewaySignature', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      "Signed by the gateway exactly as partners sign their requests to it (see the gateway's API description), with iss = the gateway, aud = your partner id. Verify it against the gateway's /.well-known/jwks.json.",
  });
  const verifyGateway = async (c: Context, next: () => Promise<void>) => {
    if (breakage.skipsSignature(c)) return next();
    const url = new URL(c.req.url);
    try {
      await verify({
        authorization: c.req.header('authorization'),
        method: c.req.method,
        path: `${url.pathname}${url.search}`,
        body: new Uint8Array(await c.req.arrayBuffer()),
      });
    } catch (error) {
      throw new ReferencePartnerError(
        'signature_refused',
        error instanceof Error ? error.message : String(error),
      );
    }
    await next();
  };
  app.use('/loyalty/*', verifyGateway);
  app.use('/webhooks', verifyGateway);
  app.use('/loyalty/operations/:key', breakage.outcomeOfUnknownKey);
  app.onError((error, c) => {
    if (error instanceof ReferencePartnerError)
      return c.json({ code: error.code, detail: error.message }, error.status);
    return c.json({ code: 'internal_error', detail: 'unexpected error' }, 500);
  });

  async function perform<S extends 200 | 201>(
    c: Context,
    operation: PartnerStepName,
    key: string,
    /** The account the call concerns; asked only when an armed fault is for some accounts alone. */
    accountOf: () => Promise<string | null>,
    run: () => Promise<PartnerOutcome>,
    success: { status: S; label: z.infer<typeof OperationResult>['status'] },
  ) {
    // A key that already has an answer gets it again: a switch that would decide the answer (refuse)
    // applies only to a key's first arrival, and the others only lose or delay the first answer.
    const answered = await options.books.answer(key);
    const accountRef = faults.needsAccount(operation) ? await accountOf() : null;
    const fault = faults.take(operation, answered ? 'repeat' : 'first', accountRef);
    if (fault?.mode === 'fail_before') return c.json({ code: 'unavailable', detail: 'injected fault' }, 503);
    if (fault?.mode === 'latency') await sleep(fault.delayMs);
    const outcome =
      fault?.mode === 'refuse'
        ? await options.books.refuse(key, operation, {
            code: fault.code,
            detail: 'injected refusal',
          })
        : await run();
    if (fault?.mode === 'fail_after')
      return c.json({ code: 'unavailable', detail: 'injected fault after the effect' }, 503);
    if (fault?.mode === 'hang_after') await sleep(fault.delayMs);
    if (outcome.outcome === 'refused') return c.json({ code: outcome.code, detail: outcome.detail }, 422);
    // A reversal says how much it took back, on its first answer and on every repeat.
    const reversed = operation === 'reverse' ? { reversedPoints: String(outcome.points ?? 0n) } : {};
    const held = outcome.expiryProfile
      ? { expiryProfile: JSON.parse(portionsToJson(outcome.expiryProfile)) }
      : {};
    return c.json({ key, status: success.label, ...reversed, ...held }, success.status);
  }

  app.openapi(routes.reserve, async (c) => {
    const body = c.req.valid('json');
    return perform(
      c,
      'reserve',
      body.key,
      async () => body.accountRef,
      () =>
        options.books.reserve({ ...body, points: BigInt(body.points), expiresAt: new Date(body.expiresAt) }),
      { status: 201, label: 'reserved' },
    );
  });
  app.openapi(routes.post, async (c) => {
    const { key } = c.req.valid('json');
    return perform(
      c,
      'post',
      key,
      () => options.books.accountOf(c.req.valid('param').key),
      () => options.books.post({ key, reservationKey: c.req.valid('param').key }),
      { status: 200, label: 'posted' },
    );
  });
  app.openapi(routes.void, async (c) => {
    const { key } = c.req.valid('json');
    return perform(
      c,
      'void',
      key,
      () => options.books.accountOf(c.req.valid('param').key),
      () => options.books.void({ key, reservationKey: c.req.valid('param').key }),
      { status: 200, label: 'voided' },
    );
  });
  app.openapi(routes.credit, async (c) => {
    const body = c.req.valid('json');
    return perform(
      c,
      'credit',
      body.key,
      async () => body.accountRef,
      () =>
        options.books.credit({ ...body, points: BigInt(body.points), expiryProfile: portionsFromBody(body) }),
      { status: 201, label: 'credited' },
    );
  });
  app.openapi(routes.reverse, async (c) => {
    const body = c.req.valid('json');
    return perform(
      c,
      'reverse',
      body.key,
      () => options.books.accountOf(c.req.valid('param').key),
      () =>
        options.books.reverse({
          key: body.key,
          creditKey: c.req.valid('param').key,
          points: BigInt(body.points),
        }),
      { status: 200, label: 'reversed' },
    );
  });
  app.openapi(routes.outcome, async (c) => {
    const { key } = c.req.valid('param');
    const accountRef = faults.needsAccount('outcome') ? await options.books.accountOf(key) : null;
    const fault = faults.take('outcome', 'first', accountRef);
    if (fault?.mode === 'fail_before') return c.json({ code: 'unavailable', detail: 'injected fault' }, 503);
    return c.json({ key, state: await options.books.outcome(key) }, 200);
  });
  app.openapi(routes.transactions, async (c) => {
    const { from, to } = c.req.valid('query');
    if (faults.take('transactions')?.mode === 'fail_before')
      return c.json({ code: 'unavailable', detail: 'injected fault' }, 503);
    const operations = reportQuirks.apply(
      await options.books.transactions({
        from: new Date(from),
        to: new Date(to),
        limit: reportQuirks.pageSize,
      }),
    );
    return c.json(
      {
        transactions: operations.map((operation) => ({
          key: operation.key,
          operation: operation.kind as 'reserve' | 'post' | 'void' | 'credit' | 'reverse',
          accountRef: operation.accountRef,
          points: String(operation.points),
          status: operation.status,
          at: operation.at.toISOString(),
        })),
      },
      200,
    );
  });
  app.openapi(routes.balance, async (c) => {
    const { accountRef } = c.req.valid('param');
    const balance = await options.books.balance(accountRef);
    if (!balance) return c.json({ code: 'account_unknown', detail: accountRef }, 404);
    return c.json(
      {
        accountRef,
        availablePoints: String(balance.availablePoints),
        postedPoints: String(balance.postedPoints),
      },
      200,
    );
  });

  // Webhooks from the gateway, verified like its other calls; kept in memory for demos and tests.
  const webhooks: unknown[] = [];
  app.post('/webhooks', async (c) => {
    if (faults.take('webhook')?.mode === 'fail_before')
      return c.json({ code: 'unavailable', detail: 'injected fault' }, 503);
    webhooks.push(await c.req.json());
    return c.body(null, 204);
  });
  app.get('/_control/webhooks', (c) => c.json({ items: webhooks }, 200));

  registerControlRoutes(app, options.books, faults, reportQuirks);
  registerCatalogFeedRoutes(app, catalogFeed, faults);
  return { app, faults, webhooks, reportQuirks, catalogFeed };
}
