// Transfers: start one from a quote (or inline), read it, list yours. The reply carries the final
// state when it is known within a short wait, otherwise the current state (202); poll or use webhooks.
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { ServiceContext } from '../../services/context.ts';
import {
  listTransfers,
  readTransfer,
  requestTransfer,
  type TransferDependencies,
} from '../../services/transfers.ts';
import { signedRoute } from '../auth/route-access.ts';
import { callerPartnerId, type GatewayEnv } from '../context.ts';
import { requireClaim } from '../idempotency.ts';
import { problemResponses } from '../problem.ts';
import { page, pageQuery, pageSchema } from '../schemas/amounts.ts';
import { IdempotencyHeaders } from '../schemas/common.ts';
import { idParam } from '../schemas/ids.ts';
import { CreateTransferBody, TransferSchema, transferView } from '../schemas/transfers.ts';

const tags = ['Transfers'];
const transferReply = (description: string) => ({
  content: { 'application/json': { schema: TransferSchema } },
  description,
});
const TransferPath = z.object({ transferId: idParam('trf', 'transferId') });

const createTransferRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/transfers',
  tags,
  summary: 'Move points between two programmes for a member',
  description:
    "Reserve at the source, credit at the target, post at the source. 201: the outcome (completed or failed) is in the reply. 202: still running; poll GET /v1/transfers/{transferId} or wait for the webhook; or held (status held, `hold` says why) until the source programme's partner releases it. 200: this quote already started this transfer.",
  request: {
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: CreateTransferBody } } },
  },
  responses: {
    200: transferReply('The transfer this quote already started'),
    201: transferReply('The transfer, with its outcome'),
    202: transferReply('The transfer, still running'),
    ...problemResponses(400, 401, 403, 404, 409, 422, 503),
  },
});

const getTransferRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/transfers/{transferId}',
  tags,
  summary: 'A transfer: its status, each step with its time, and the reason of a failure',
  request: { params: TransferPath },
  responses: { 200: transferReply('The transfer'), ...problemResponses(401, 404) },
});

const listTransfersRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/transfers',
  tags,
  summary: 'Transfers out of or into your programmes, newest first',
  request: { query: pageQuery('trf') },
  responses: {
    200: {
      content: {
        'application/json': {
          schema: pageSchema(TransferSchema),
        },
      },
      description: 'A page of transfers',
    },
    ...problemResponses(400, 401),
  },
});

export function registerTransferRoutes(
  app: OpenAPIHono<GatewayEnv>,
  context: ServiceContext,
  transfers: Pick<TransferDependencies, 'startTransfer' | 'startWebhooks' | 'policy'>,
): void {
  app.openapi(createTransferRoute, async (c) => {
    const body = c.req.valid('json');
    const reply = await requestTransfer(
      { ...context, ...transfers, logger: c.var.logger },
      {
        partnerId: callerPartnerId(c.var.principal),
        request: body,
        idempotency: requireClaim(c),
        now: new Date(),
      },
    );
    const view = transferView(reply.transfer, reply.steps, reply.hold);
    if (reply.disposition === 'existing') return c.json(view, 200);
    return reply.finished ? c.json(view, 201) : c.json(view, 202);
  });

  app.openapi(getTransferRoute, async (c) => {
    const { transfer, steps, hold } = await readTransfer(
      context,
      callerPartnerId(c.var.principal),
      c.req.valid('param').transferId,
    );
    return c.json(transferView(transfer, steps, hold), 200);
  });

  app.openapi(listTransfersRoute, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const transfers = await listTransfers(context, {
      partnerId: callerPartnerId(c.var.principal),
      cursor: cursor ?? null,
      limit,
    });
    const items = transfers.map(({ transfer, steps, hold }) => transferView(transfer, steps, hold));
    return c.json(page(items, limit), 200);
  });
}
