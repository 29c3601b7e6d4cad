// Finance's settlement endpoints: close the open cycle by hand (the Schedule closes one at every
// cut-off), read cycles with their positions and payment instructions, mark an instruction paid.
import type { OpenAPIHono, z } from '@hono/zod-openapi';
import { type ServiceContext, within } from '../../services/context.ts';
import {
  listCycleInstructions,
  listSettlementCycles,
  markPaid,
  readCycle,
  requestCycleClose,
  type SettlementCloser,
} from '../../services/settlement.ts';
import { signedRoute } from '../auth/route-access.ts';
import type { GatewayEnv } from '../context.ts';
import { replyWithEffect, requireClaim } from '../idempotency.ts';
import { problemResponses } from '../problem.ts';
import { page, pageQuery, pageSchema } from '../schemas/amounts.ts';
import { IdempotencyHeaders } from '../schemas/common.ts';
import {
  CloseCycleBody,
  CyclePath,
  CycleSchema,
  CycleSummarySchema,
  cycleSummaryView,
  cycleView,
  InstructionPath,
  InstructionSchema,
  instructionView,
  MarkPaidBody,
} from '../schemas/settlement.ts';

const tags = ['Finance: settlement'];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

const closeRoute = signedRoute('finance', {
  method: 'post',
  path: '/v1/finance/settlement/cycles',
  tags,
  summary: 'Close the open cycle now: seal it, net it, and answer with its positions',
  description:
    'Obligations committed before the close are in this cycle, those committed after in the next. A retry with the same Idempotency-Key closes nothing more.',
  request: {
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: CloseCycleBody } } },
  },
  responses: { 201: json(CycleSummarySchema, 'The closed cycle'), ...problemResponses(400, 401, 403) },
});

const listRoute = signedRoute('finance', {
  method: 'get',
  path: '/v1/finance/settlement/cycles',
  tags,
  summary: 'Cycles, newest first (the open one included)',
  request: { query: pageQuery('cyc') },
  responses: { 200: json(pageSchema(CycleSchema), 'A page of cycles'), ...problemResponses(400, 401, 403) },
});

const readRoute = signedRoute('finance', {
  method: 'get',
  path: '/v1/finance/settlement/cycles/{cycleId}',
  tags,
  summary: "A cycle: gross against net per currency, the share netting saved, every party's position",
  request: { params: CyclePath },
  responses: { 200: json(CycleSummarySchema, 'The cycle'), ...problemResponses(400, 401, 403, 404) },
});

const instructionsRoute = signedRoute('finance', {
  method: 'get',
  path: '/v1/finance/settlement/cycles/{cycleId}/instructions',
  tags,
  summary: "A cycle's payment instructions: each party pays or receives, never both",
  request: { params: CyclePath, query: pageQuery('ins') },
  responses: {
    200: json(pageSchema(InstructionSchema), 'A page of instructions'),
    ...problemResponses(400, 401, 403, 404),
  },
});

const paidRoute = signedRoute('finance', {
  method: 'post',
  path: '/v1/finance/settlement/instructions/{instructionId}/paid',
  tags,
  summary: 'Record that an instruction was paid; the cycle is settled when all of its are',
  request: {
    params: InstructionPath,
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: MarkPaidBody } } },
  },
  responses: {
    200: json(InstructionSchema, 'The instruction, paid'),
    ...problemResponses(400, 401, 403, 404, 409),
  },
});

export function registerFinanceSettlementRoutes(
  app: OpenAPIHono<GatewayEnv>,
  context: ServiceContext,
  close: SettlementCloser,
): void {
  app.openapi(closeRoute, async (c) => {
    const summary = await requestCycleClose(context, {
      idempotency: requireClaim(c),
      now: new Date(),
      close,
    });
    return c.json(cycleSummaryView(summary), 201);
  });

  app.openapi(listRoute, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const cycles = await listSettlementCycles(context, { cursor: cursor ?? null, limit });
    return c.json(page(cycles.map(cycleView), limit), 200);
  });

  app.openapi(readRoute, async (c) => {
    const summary = await readCycle(context, { cycleId: c.req.valid('param').cycleId, partyId: null });
    return c.json(cycleSummaryView(summary), 200);
  });

  app.openapi(instructionsRoute, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const instructions = await listCycleInstructions(context, {
      cycleId: c.req.valid('param').cycleId,
      partyId: null,
      cursor: cursor ?? null,
      limit,
    });
    return c.json(page(instructions.map(instructionView), limit), 200);
  });

  app.openapi(paidRoute, async (c) => {
    const reply = await replyWithEffect(c, context.db, async (trx) => {
      const paid = await markPaid(within(context, trx), {
        instructionId: c.req.valid('param').instructionId,
        paymentReference: c.req.valid('json').paymentReference,
        now: new Date(),
      });
      return { status: 200 as const, body: instructionView(paid) };
    });
    return c.json(reply.body, reply.status);
  });
}
