// Reversals (clawback): the source partner, or finance, reverses a completed transfer wholly or in
// part; anyone who may see the transfer reads its reversals. As for transfers, the reply carries the
// outcome when it is known within a short wait (201), otherwise the current state (202).
import type { OpenAPIHono, z } from '@hono/zod-openapi';
import type { ServiceContext } from '../../services/context.ts';
import {
  listTransferReversals,
  type ReversalRequester,
  type ReversalStarter,
  readReversal,
  requestReversal,
} from '../../services/reversals.ts';
import { signedRoute } from '../auth/route-access.ts';
import { callerPartnerId, type GatewayEnv, type Principal } from '../context.ts';
import { requireClaim } from '../idempotency.ts';
import { problemResponses } from '../problem.ts';
import { IdempotencyHeaders } from '../schemas/common.ts';
import {
  ReversalPath,
  ReversalSchema,
  ReverseTransferBody,
  reversalView,
  TransferPath,
} from '../schemas/reversals.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
const description =
  'Takes the points back from the target member (as many as the member still has, up to what the reversal asks), gives the source member back their points, and records the opposite settlement obligation for the next cycle. A shortfall is borne as the rate agreement says and raised to finance. Reversals never add up past the transfer, even when sent at once. 201: the outcome is in the reply; 202: still running, poll GET /v1/reversals/{reversalId} or wait for the transfer.reversed webhook.';
const createRequest = {
  headers: IdempotencyHeaders,
  params: TransferPath,
  body: { required: true, content: { 'application/json': { schema: ReverseTransferBody } } },
};
const createResponses = {
  201: json(ReversalSchema, 'The reversal, with its outcome'),
  202: json(ReversalSchema, 'The reversal, still running'),
  ...problemResponses(400, 401, 403, 404, 409, 422),
};

const reverseRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/transfers/{transferId}/reversals',
  tags: ['Transfers'],
  summary: 'Reverse a completed transfer, wholly or in part (source partner)',
  description,
  request: createRequest,
  responses: createResponses,
});

const financeReverseRoute = signedRoute('finance', {
  method: 'post',
  path: '/v1/finance/transfers/{transferId}/reversals',
  tags: ['Finance: reversals'],
  summary: 'Reverse a completed transfer, wholly or in part (finance)',
  description,
  request: createRequest,
  responses: createResponses,
});

const listRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/transfers/{transferId}/reversals',
  tags: ['Transfers'],
  summary: "A transfer's reversals, oldest first",
  request: { params: TransferPath },
  responses: {
    200: json(ReversalSchema.array().openapi('Reversals'), 'The reversals'),
    ...problemResponses(401, 404),
  },
});

const readRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/reversals/{reversalId}',
  tags: ['Transfers'],
  summary: 'A reversal: what it asked, what it took back and returned, and what is now owed',
  request: { params: ReversalPath },
  responses: { 200: json(ReversalSchema, 'The reversal'), ...problemResponses(401, 404) },
});

function requesterOf(principal: Principal): ReversalRequester {
  return principal.kind === 'finance'
    ? { kind: 'finance' }
    : { kind: 'partner', partnerId: callerPartnerId(principal) };
}

export function registerReversalRoutes(
  app: OpenAPIHono<GatewayEnv>,
  context: ServiceContext,
  startReversal: ReversalStarter,
): void {
  for (const route of [reverseRoute, financeReverseRoute]) {
    app.openapi(route, async (c) => {
      const body = c.req.valid('json');
      const { reversal, finished } = await requestReversal(
        { ...context, startReversal, logger: c.var.logger },
        {
          requester: requesterOf(c.var.principal),
          transferId: c.req.valid('param').transferId,
          sourcePoints: body.sourcePoints ?? null,
          reason: body.reason,
          idempotency: requireClaim(c),
        },
      );
      return c.json(reversalView(reversal), finished ? 201 : 202);
    });
  }

  app.openapi(listRoute, async (c) => {
    const reversals = await listTransferReversals(
      context,
      callerPartnerId(c.var.principal),
      c.req.valid('param').transferId,
    );
    return c.json(reversals.map(reversalView), 200);
  });

  app.openapi(readRoute, async (c) => {
    const reversal = await readReversal(
      context,
      requesterOf(c.var.principal),
      c.req.valid('param').reversalId,
    );
    return c.json(reversalView(reversal), 200);
  });
}
