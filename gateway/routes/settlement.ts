// A partner's view of settlement: the cycles, its own position in each, and the payment
// instructions it must pay or will receive. Another partner's figures are never shown.
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { ServiceContext } from '../../services/context.ts';
import { listCycleInstructions, listSettlementCycles, readCycle } from '../../services/settlement.ts';
import {
  type DocumentSigner,
  signedStatement,
  signedStatementLines,
  statementCsv,
} from '../../services/settlement-statements.ts';
import { signedRoute } from '../auth/route-access.ts';
import { callerPartnerId, type GatewayEnv } from '../context.ts';
import { problemResponses } from '../problem.ts';
import { page, pageQuery, pageSchema } from '../schemas/amounts.ts';
import {
  CyclePath,
  CycleSchema,
  CycleSummarySchema,
  cycleSummaryView,
  cycleView,
  InstructionSchema,
  instructionView,
  StatementLinesSchema,
  StatementSchema,
} from '../schemas/settlement.ts';

const tags = ['Settlement'];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

const listRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/settlement/cycles',
  tags,
  summary: 'Settlement cycles, newest first',
  request: { query: pageQuery('cyc') },
  responses: { 200: json(pageSchema(CycleSchema), 'A page of cycles'), ...problemResponses(400, 401) },
});

const readRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/settlement/cycles/{cycleId}',
  tags,
  summary: "A cycle's totals and your own position in it",
  request: { params: CyclePath },
  responses: { 200: json(CycleSummarySchema, 'The cycle'), ...problemResponses(400, 401, 404) },
});

const instructionsRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/settlement/cycles/{cycleId}/instructions',
  tags,
  summary: 'The payment instructions of a cycle that you pay or receive',
  request: { params: CyclePath, query: pageQuery('ins') },
  responses: {
    200: json(pageSchema(InstructionSchema), 'A page of your instructions'),
    ...problemResponses(400, 401, 404),
  },
});

const statementRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/settlement/cycles/{cycleId}/statement',
  tags,
  summary: 'Your statement of a closed cycle, as issued at its close and signed by the gateway',
  request: { params: CyclePath },
  responses: {
    200: json(StatementSchema, 'The statement and its signature'),
    ...problemResponses(400, 401, 404, 409),
  },
});

const statementLinesRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/settlement/cycles/{cycleId}/statement/lines',
  tags,
  summary: "Your statement's lines (every obligation behind its figures), signed by the gateway",
  request: { params: CyclePath },
  responses: {
    200: json(StatementLinesSchema, 'The lines and their signature'),
    ...problemResponses(400, 401, 404, 409),
  },
});

const statementCsvRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/settlement/cycles/{cycleId}/statement.csv',
  tags,
  summary: "Your statement's lines as CSV (RFC 4180, one header row, amounts as decimal strings)",
  request: { params: CyclePath },
  responses: {
    200: { content: { 'text/csv': { schema: z.string() } }, description: 'The lines' },
    ...problemResponses(400, 401, 404, 409),
  },
});

export function registerSettlementRoutes(
  app: OpenAPIHono<GatewayEnv>,
  context: ServiceContext,
  sign: DocumentSigner,
): void {
  app.openapi(statementRoute, async (c) => {
    const signed = await signedStatement(context, {
      cycleId: c.req.valid('param').cycleId,
      partnerId: callerPartnerId(c.var.principal),
      sign,
    });
    return c.json(signed, 200);
  });

  app.openapi(statementLinesRoute, async (c) => {
    const signed = await signedStatementLines(context, {
      cycleId: c.req.valid('param').cycleId,
      partnerId: callerPartnerId(c.var.principal),
      sign,
    });
    return c.json(signed, 200);
  });

  app.openapi(statementCsvRoute, async (c) => {
    const { cycleId } = c.req.valid('param');
    const csv = await statementCsv(context, {
      cycleId,
      partnerId: callerPartnerId(c.var.principal),
      sign,
    });
    return c.body(csv, 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="statement-${cycleId}.csv"`,
    });
  });

  app.openapi(listRoute, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const cycles = await listSettlementCycles(context, { cursor: cursor ?? null, limit });
    return c.json(page(cycles.map(cycleView), limit), 200);
  });

  app.openapi(readRoute, async (c) => {
    const summary = await readCycle(context, {
      cycleId: c.req.valid('param').cycleId,
      partyId: callerPartnerId(c.var.principal),
    });
    return c.json(cycleSummaryView(summary), 200);
  });

  app.openapi(instructionsRoute, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const instructions = await listCycleInstructions(context, {
      cycleId: c.req.valid('param').cycleId,
      partyId: callerPartnerId(c.var.principal),
      cursor: cursor ?? null,
      limit,
    });
    return c.json(page(instructions.map(instructionView), limit), 200);
  });
}
