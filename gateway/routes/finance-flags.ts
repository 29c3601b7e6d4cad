// Finance flags: what needs a person (a transfer stuck after its target credited, a compensation
// that could not be made, a reversal's shortfall and who bears it, a catalog order whose post cannot be
// known), listed and resolved with a reason.
import type { OpenAPIHono, z } from '@hono/zod-openapi';
import type { ServiceContext } from '../../services/context.ts';
import { listFlags, resolveFlag } from '../../services/finance-flags.ts';
import { signedRoute } from '../auth/route-access.ts';
import type { GatewayEnv } from '../context.ts';
import { problemResponses } from '../problem.ts';
import { IdempotencyHeaders } from '../schemas/common.ts';
import {
  FlagPath,
  FlagSchema,
  FlagsPageSchema,
  FlagsQuery,
  flagView,
  ResolveFlagBody,
} from '../schemas/finance-flags.ts';

const tags = ['Finance: flags'];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

const listRoute = signedRoute('finance', {
  method: 'get',
  path: '/v1/finance/flags',
  tags,
  summary: 'What needs finance: open flags, oldest first (or resolved ones, or all)',
  request: { query: FlagsQuery },
  responses: { 200: json(FlagsPageSchema, 'A page of flags'), ...problemResponses(400, 401, 403) },
});

const resolveRoute = signedRoute('finance', {
  method: 'post',
  path: '/v1/finance/flags/{flagId}/resolution',
  tags,
  summary: 'Resolve a flag with a reason; kept for good',
  request: {
    headers: IdempotencyHeaders,
    params: FlagPath,
    body: { required: true, content: { 'application/json': { schema: ResolveFlagBody } } },
  },
  responses: { 200: json(FlagSchema, 'The flag, resolved'), ...problemResponses(400, 401, 403, 404, 409) },
});

export function registerFinanceFlagRoutes(app: OpenAPIHono<GatewayEnv>, context: ServiceContext): void {
  app.openapi(listRoute, async (c) => {
    const { state, limit, cursor } = c.req.valid('query');
    const flags = await listFlags(context, { state, limit, afterId: cursor ? BigInt(cursor) : null });
    const last = flags[flags.length - 1];
    return c.json(
      { items: flags.map(flagView), nextCursor: flags.length === limit && last ? String(last.id) : null },
      200,
    );
  });

  app.openapi(resolveRoute, async (c) => {
    const flag = await resolveFlag(context, {
      flagId: BigInt(c.req.valid('param').flagId),
      reason: c.req.valid('json').reason,
      resolvedBy: 'finance',
      now: new Date(),
    });
    return c.json(flagView(flag), 200);
  });
}
