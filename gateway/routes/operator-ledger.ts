// The ledger's invariant, for operators: the sum of all entries is zero and every account agrees
// with its entries. Anything else is a bug to stop the line for.
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { ServiceContext } from '../../services/context.ts';
import { checkHostedLedger } from '../../services/hosted-ledger.ts';
import { signedRoute } from '../auth/route-access.ts';
import type { GatewayEnv } from '../context.ts';
import { problemResponses } from '../problem.ts';

const LedgerCheckSchema = z
  .object({ balanced: z.boolean(), entriesSum: z.string(), accountsOutOfBalance: z.array(z.string()) })
  .openapi('LedgerCheck');

const checkRoute = signedRoute('operator', {
  method: 'get',
  path: '/v1/operator/ledger/check',
  tags: ['Operator: ledger'],
  summary: 'Check the hosted ledger: entries sum to zero and accounts agree with their entries',
  responses: {
    200: { content: { 'application/json': { schema: LedgerCheckSchema } }, description: 'The check' },
    ...problemResponses(401, 403),
  },
});

export function registerOperatorLedgerRoutes(app: OpenAPIHono<GatewayEnv>, context: ServiceContext): void {
  app.openapi(checkRoute, async (c) => {
    const check = await checkHostedLedger(context);
    return c.json(
      {
        balanced: check.entriesSum === 0n && check.accountsOutOfBalance.length === 0,
        entriesSum: String(check.entriesSum),
        accountsOutOfBalance: check.accountsOutOfBalance.map(String),
      },
      200,
    );
  });
}
