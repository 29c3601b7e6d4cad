// Reconciliation: finance runs one for a programme and period and works through the breaks (by
// partner, kind and age), resolving each for good; a partner uploads its own list as CSV, and reads
// its runs and breaks. The daily Schedule runs every programme without being asked.
import type { OpenAPIHono, z } from '@hono/zod-openapi';
import type { ServiceContext } from '../../services/context.ts';
import {
  listReconciliationBreaks,
  listReconciliationRuns,
  type ReconciliationStarter,
  type Requester,
  readRun,
  requestRun,
  resolveReconciliationBreak,
} from '../../services/reconciliation.ts';
import { signedRoute } from '../auth/route-access.ts';
import { callerPartnerId, type GatewayEnv, type Principal } from '../context.ts';
import { requireClaim } from '../idempotency.ts';
import { problemResponses } from '../problem.ts';
import { page, pageQuery, pageSchema } from '../schemas/amounts.ts';
import { IdempotencyHeaders } from '../schemas/common.ts';
import {
  BreakPath,
  BreakSchema,
  BreaksQuery,
  breakView,
  RequestRunBody,
  ResolveBreakBody,
  RunPath,
  RunSchema,
  runView,
  UploadBody,
} from '../schemas/reconciliation.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
const financeTags = ['Finance: reconciliation'];
const partnerTags = ['Reconciliation'];

const requestRunRoute = signedRoute('finance', {
  method: 'post',
  path: '/v1/finance/reconciliation/runs',
  tags: financeTags,
  summary: "Reconcile a programme's period now, against its loyalty system's own list",
  description:
    "The gateway's record of every operation it made at the programme's system in the period is matched with the system's transaction list (or, for a hosted programme, the ledger's movements and balances). A rerun of the same programme and period replaces its open breaks; resolved ones stay as they were.",
  request: {
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: RequestRunBody } } },
  },
  responses: {
    201: json(RunSchema, 'The run, finished'),
    202: json(RunSchema, 'The run, still running: poll it'),
    ...problemResponses(400, 401, 403, 422),
  },
});

const uploadRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/reconciliation/uploads',
  tags: partnerTags,
  summary: 'Reconcile a period of one of your programmes against your own list, uploaded as CSV',
  request: {
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: UploadBody } } },
  },
  responses: {
    201: json(RunSchema, 'The run, finished'),
    202: json(RunSchema, 'The run, still running: poll it'),
    ...problemResponses(400, 401, 403, 413, 422),
  },
});

const financeRunsRoute = signedRoute('finance', {
  method: 'get',
  path: '/v1/finance/reconciliation/runs',
  tags: financeTags,
  summary: 'Runs, newest first',
  request: { query: pageQuery('rec') },
  responses: { 200: json(pageSchema(RunSchema), 'A page of runs'), ...problemResponses(400, 401, 403) },
});

const financeRunRoute = signedRoute('finance', {
  method: 'get',
  path: '/v1/finance/reconciliation/runs/{runId}',
  tags: financeTags,
  summary: 'A run: what it read, matched and found',
  request: { params: RunPath },
  responses: { 200: json(RunSchema, 'The run'), ...problemResponses(401, 403, 404) },
});

const financeBreaksRoute = signedRoute('finance', {
  method: 'get',
  path: '/v1/finance/reconciliation/breaks',
  tags: financeTags,
  summary: 'Breaks by partner, kind and age (open ones unless asked otherwise)',
  request: { query: BreaksQuery },
  responses: { 200: json(pageSchema(BreakSchema), 'A page of breaks'), ...problemResponses(400, 401, 403) },
});

const resolveRoute = signedRoute('finance', {
  method: 'post',
  path: '/v1/finance/reconciliation/breaks/{breakId}/resolution',
  tags: financeTags,
  summary: 'Resolve a break with a reason; the resolution is kept for good',
  request: {
    headers: IdempotencyHeaders,
    params: BreakPath,
    body: { required: true, content: { 'application/json': { schema: ResolveBreakBody } } },
  },
  responses: { 200: json(BreakSchema, 'The break, resolved'), ...problemResponses(400, 401, 403, 404, 409) },
});

const partnerRunRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/reconciliation/runs/{runId}',
  tags: partnerTags,
  summary: 'One of your programmes’ runs',
  request: { params: RunPath },
  responses: { 200: json(RunSchema, 'The run'), ...problemResponses(401, 404) },
});

const partnerBreaksRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/reconciliation/breaks',
  tags: partnerTags,
  summary: 'Breaks found at your programmes',
  request: { query: BreaksQuery.omit({ partnerId: true }) },
  responses: { 200: json(pageSchema(BreakSchema), 'A page of breaks'), ...problemResponses(400, 401) },
});

function requesterOf(principal: Principal): Requester {
  return principal.kind === 'finance'
    ? { kind: 'finance' }
    : { kind: 'partner', partnerId: callerPartnerId(principal) };
}

const periodOf = (body: { from: string; to: string }) => ({
  from: new Date(body.from),
  to: new Date(body.to),
});

export function registerReconciliationRoutes(
  app: OpenAPIHono<GatewayEnv>,
  context: ServiceContext,
  startRun: ReconciliationStarter,
): void {
  app.openapi(requestRunRoute, async (c) => {
    const body = c.req.valid('json');
    const { run, finished } = await requestRun(
      { ...context, startRun },
      {
        requester: { kind: 'finance' },
        programId: body.programId,
        period: periodOf(body),
        idempotency: requireClaim(c),
      },
    );
    return finished ? c.json(runView(run), 201) : c.json(runView(run), 202);
  });

  app.openapi(uploadRoute, async (c) => {
    const body = c.req.valid('json');
    const { run, finished } = await requestRun(
      { ...context, startRun },
      {
        requester: requesterOf(c.var.principal),
        programId: body.programId,
        period: periodOf(body),
        csv: body.csv,
        idempotency: requireClaim(c),
      },
    );
    return finished ? c.json(runView(run), 201) : c.json(runView(run), 202);
  });

  app.openapi(financeRunsRoute, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const runs = await listReconciliationRuns(context, { partnerId: null, cursor: cursor ?? null, limit });
    return c.json(page(runs.map(runView), limit), 200);
  });

  for (const route of [financeRunRoute, partnerRunRoute]) {
    app.openapi(route, async (c) => {
      const run = await readRun(context, requesterOf(c.var.principal), c.req.valid('param').runId);
      return c.json(runView(run), 200);
    });
  }

  app.openapi(financeBreaksRoute, async (c) => {
    const query = c.req.valid('query');
    const now = new Date();
    const breaks = await listReconciliationBreaks(context, {
      partnerId: query.partnerId ?? null,
      kind: query.kind ?? null,
      olderThanHours: query.olderThanHours,
      state: query.state,
      cursor: query.cursor ?? null,
      limit: query.limit,
      now,
    });
    return c.json(
      page(
        breaks.map((found) => breakView(found, now)),
        query.limit,
      ),
      200,
    );
  });

  app.openapi(partnerBreaksRoute, async (c) => {
    const query = c.req.valid('query');
    const now = new Date();
    const breaks = await listReconciliationBreaks(context, {
      partnerId: callerPartnerId(c.var.principal),
      kind: query.kind ?? null,
      olderThanHours: query.olderThanHours,
      state: query.state,
      cursor: query.cursor ?? null,
      limit: query.limit,
      now,
    });
    return c.json(
      page(
        breaks.map((found) => breakView(found, now)),
        query.limit,
      ),
      200,
    );
  });

  app.openapi(resolveRoute, async (c) => {
    const body = c.req.valid('json');
    const now = new Date();
    const resolved = await resolveReconciliationBreak(context, {
      breakId: c.req.valid('param').breakId,
      resolution: body.resolution,
      reason: body.reason,
      resolvedBy: 'finance',
      now,
    });
    return c.json(breakView(resolved, now), 200);
  });
}
