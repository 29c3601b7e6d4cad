// The webhooks sent to a partner, with their delivery state, so it can find what it missed.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ServiceContext } from '../../services/context.ts';
import { listDeliveries } from '../../services/webhook-deliveries.ts';
import { signedRoute } from '../auth/route-access.ts';
import { callerPartnerId, type GatewayEnv } from '../context.ts';
import { problemResponses } from '../problem.ts';
import { page, pageQuery, pageSchema } from '../schemas/amounts.ts';
import { deliveryView, WebhookDeliverySchema } from '../schemas/transfers.ts';

const listDeliveriesRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/webhook-deliveries',
  tags: ['Webhooks'],
  summary: 'Webhooks sent to you, newest first, with their delivery state',
  request: { query: pageQuery('whk') },
  responses: {
    200: {
      content: {
        'application/json': {
          schema: pageSchema(WebhookDeliverySchema),
        },
      },
      description: 'A page of deliveries',
    },
    ...problemResponses(400, 401),
  },
});

export function registerWebhookDeliveryRoutes(app: OpenAPIHono<GatewayEnv>, context: ServiceContext): void {
  app.openapi(listDeliveriesRoute, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const deliveries = await listDeliveries(context, {
      partnerId: callerPartnerId(c.var.principal),
      cursor: cursor ?? null,
      limit,
    });
    return c.json(page(deliveries.map(deliveryView), limit), 200);
  });
}
