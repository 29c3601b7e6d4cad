// Finance reads what the stranded-transfer sweep did: which stuck transfers it started, recovered,
// found running or gave up on.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ServiceContext } from '../../services/context.ts';
import { listSweeps } from '../../services/sweeps.ts';
import { signedRoute } from '../auth/route-access.ts';
import type { GatewayEnv } from '../context.ts';
import { problemResponses } from '../problem.ts';
import { page, pageSchema } from '../schemas/amounts.ts';
import { SweepActionSchema, SweepsQuery, sweepActionView } from '../schemas/sweeps.ts';

const listRoute = signedRoute('finance', {
  method: 'get',
  path: '/v1/finance/sweeps',
  tags: ['Finance: stuck transfers'],
  summary: 'What the stranded-transfer sweep did, newest first',
  description:
    'Transfers left pending, reserved or credited past the threshold: the workflow the sweep started, the recovery run it started when the workflow had stopped, or the running workflow it left alone.',
  request: { query: SweepsQuery },
  responses: {
    200: {
      content: { 'application/json': { schema: pageSchema(SweepActionSchema) } },
      description: 'A page of sweep actions',
    },
    ...problemResponses(400, 401, 403),
  },
});

export function registerFinanceSweepRoutes(app: OpenAPIHono<GatewayEnv>, context: ServiceContext): void {
  app.openapi(listRoute, async (c) => {
    const { limit, cursor, transferId } = c.req.valid('query');
    const actions = await listSweeps(context, {
      transferId: transferId ?? null,
      cursor: cursor ?? null,
      limit,
    });
    return c.json(page(actions.map(sweepActionView), limit), 200);
  });
}
