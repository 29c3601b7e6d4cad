// Theft holds: a programme's partner sets which signals count and its threshold; a transfer out of
// the programme that reaches it is held (status held, moving nothing); the partner lists its holds
// and releases (the transfer starts) or cancels (it fails) each. Unanswered holds expire.
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { type ServiceContext, within } from '../../services/context.ts';
import {
  cancelTransferHold,
  listTransferHolds,
  readTheftHoldPolicy,
  releaseTransferHold,
  setTheftHoldPolicy,
} from '../../services/theft-holds.ts';
import type { TransferDependencies } from '../../services/transfers.ts';
import { signedRoute } from '../auth/route-access.ts';
import { callerPartnerId, type GatewayEnv } from '../context.ts';
import { replyWithEffect } from '../idempotency.ts';
import { problemResponses } from '../problem.ts';
import { page, pageQuery, pageSchema } from '../schemas/amounts.ts';
import { IdempotencyHeaders } from '../schemas/common.ts';
import { idParam } from '../schemas/ids.ts';
import {
  holdListItemView,
  policyView,
  SetTheftPolicyBody,
  TheftPolicyReplySchema,
  TransferHoldListItemSchema,
} from '../schemas/theft-holds.ts';
import { TransferSchema, transferView } from '../schemas/transfers.ts';

const tags = ['Theft holds'];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
const ProgramPath = z.object({ programId: idParam('prg', 'programId') });
const TransferPath = z.object({ transferId: idParam('trf', 'transferId') });

const readPolicyRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/programs/{programId}/theft-hold-policy',
  tags,
  summary: "Your programme's theft-hold policy (null: transfers out of it are never held)",
  request: { params: ProgramPath },
  responses: { 200: json(TheftPolicyReplySchema, 'The policy'), ...problemResponses(401, 403, 422) },
});

const setPolicyRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/programs/{programId}/theft-hold-policy',
  tags,
  summary: 'Set which signals count, their weights and the threshold at which a transfer out is held',
  request: {
    params: ProgramPath,
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: SetTheftPolicyBody } } },
  },
  responses: { 200: json(TheftPolicyReplySchema, 'The policy'), ...problemResponses(400, 401, 403, 422) },
});

const listRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/transfer-holds',
  tags,
  summary: 'Holds on transfers out of your programmes, newest first: the queue to release or cancel from',
  request: {
    query: pageQuery('trf').extend({
      status: z
        .enum(['held', 'released', 'cancelled', 'expired'])
        .optional()
        .openapi({ param: { name: 'status', in: 'query' }, description: 'Only holds in this state.' }),
    }),
  },
  responses: {
    200: json(pageSchema(TransferHoldListItemSchema), 'A page of holds'),
    ...problemResponses(400, 401),
  },
});

const releaseRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/transfers/{transferId}/hold/release',
  tags,
  summary: 'Release a held transfer: it starts, and the reply carries its state after a short wait',
  description:
    'Only the partner owning the source programme decides. Both of the member’s links must still be active. A repeat answers the same.',
  request: { params: TransferPath, headers: IdempotencyHeaders },
  responses: { 200: json(TransferSchema, 'The transfer'), ...problemResponses(400, 401, 403, 404, 409, 422) },
});

const cancelRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/transfers/{transferId}/hold/cancel',
  tags,
  summary: 'Cancel a held transfer: it fails (theft_hold_cancelled), having moved nothing',
  request: { params: TransferPath, headers: IdempotencyHeaders },
  responses: { 200: json(TransferSchema, 'The transfer'), ...problemResponses(400, 401, 403, 404, 409) },
});

export function registerTheftHoldRoutes(
  app: OpenAPIHono<GatewayEnv>,
  context: ServiceContext,
  transfers: Pick<TransferDependencies, 'startTransfer' | 'startWebhooks'>,
): void {
  app.openapi(readPolicyRoute, async (c) => {
    const policy = await readTheftHoldPolicy(context, {
      partnerId: callerPartnerId(c.var.principal),
      programId: c.req.valid('param').programId,
    });
    return c.json(policyView(policy), 200);
  });

  app.openapi(setPolicyRoute, async (c) => {
    const { policy } = c.req.valid('json');
    const reply = await replyWithEffect(c, context.db, async (trx) => {
      const stored = await setTheftHoldPolicy(within(context, trx), {
        partnerId: callerPartnerId(c.var.principal),
        programId: c.req.valid('param').programId,
        policy,
      });
      return { status: 200 as const, body: policyView(stored) };
    });
    return c.json(reply.body, reply.status);
  });

  app.openapi(listRoute, async (c) => {
    const { limit, cursor, status } = c.req.valid('query');
    const holds = await listTransferHolds(context, {
      partnerId: callerPartnerId(c.var.principal),
      status: status ?? null,
      cursor: cursor ?? null,
      limit,
    });
    return c.json(page(holds.map(holdListItemView), limit), 200);
  });

  app.openapi(releaseRoute, async (c) => {
    const { transfer, steps, hold } = await releaseTransferHold(
      { ...context, startTransfer: transfers.startTransfer, logger: c.var.logger },
      {
        partnerId: callerPartnerId(c.var.principal),
        transferId: c.req.valid('param').transferId,
        now: new Date(),
      },
    );
    return c.json(transferView(transfer, steps, hold), 200);
  });

  app.openapi(cancelRoute, async (c) => {
    const { transfer, steps, hold } = await cancelTransferHold(
      {
        ...context,
        ...(transfers.startWebhooks ? { startWebhooks: transfers.startWebhooks } : {}),
        logger: c.var.logger,
      },
      {
        partnerId: callerPartnerId(c.var.principal),
        transferId: c.req.valid('param').transferId,
        now: new Date(),
      },
    );
    return c.json(transferView(transfer, steps, hold), 200);
  });
}
