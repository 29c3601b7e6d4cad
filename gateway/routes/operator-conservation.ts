// The conservation monitor's results, for operators: whether points and obligations were conserved
// at the last check, when it last failed, and the recent checks. The monitor itself runs on a
// Schedule (workflows/conservation-monitor.workflow.ts); this only reads what it recorded.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { readConservationStatus } from '../../services/conservation.ts';
import type { ServiceContext } from '../../services/context.ts';
import { signedRoute } from '../auth/route-access.ts';
import type { GatewayEnv } from '../context.ts';
import { problemResponses } from '../problem.ts';
import {
  ConservationQuery,
  ConservationStatusSchema,
  conservationStatusView,
} from '../schemas/conservation.ts';

const statusRoute = signedRoute('operator', {
  method: 'get',
  path: '/v1/operator/conservation',
  tags: ['Operator: ledger'],
  summary: "The conservation monitor's last result and time, its last failure, and its recent checks",
  description:
    'The monitor checks that hosted ledger entries sum to zero and accounts agree with them, that every completed transfer has its settlement obligation and every such obligation a completed transfer, and that no hosted reservation outlived its expiry. See docs/conservation.md.',
  request: { query: ConservationQuery },
  responses: {
    200: {
      content: { 'application/json': { schema: ConservationStatusSchema } },
      description: 'The results',
    },
    ...problemResponses(400, 401, 403),
  },
});

export function registerOperatorConservationRoutes(
  app: OpenAPIHono<GatewayEnv>,
  context: ServiceContext,
): void {
  app.openapi(statusRoute, async (c) => {
    const { limit } = c.req.valid('query');
    return c.json(conservationStatusView(await readConservationStatus(context, { limit })), 200);
  });
}
