// What a partner can read about itself: its programmes, key ids and status.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ServiceContext } from '../../services/context.ts';
import { readPartner } from '../../services/partners.ts';
import { signedRoute } from '../auth/route-access.ts';
import type { GatewayEnv } from '../context.ts';
import { problemResponses } from '../problem.ts';
import { PartnerSchema, partnerView } from '../schemas/partners.ts';

const getOwnProfileRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/partner',
  tags: ['Partner'],
  summary: 'Read your own partner record: programmes, keys and status',
  responses: {
    200: { content: { 'application/json': { schema: PartnerSchema } }, description: 'Your partner record' },
    ...problemResponses(401, 403),
  },
});

export function registerPartnerProfileRoutes(app: OpenAPIHono<GatewayEnv>, context: ServiceContext): void {
  app.openapi(getOwnProfileRoute, async (c) => {
    const principal = c.var.principal;
    if (principal.kind !== 'partner') throw new Error('partner route reached without a partner principal');
    return c.json(partnerView(await readPartner(context, principal.partnerId)), 200);
  });
}
