// A draw's published data, open to anyone: the commitment from the start; at the close the revealed
// seed, the frozen entry list, its hash and the winners, so anyone recomputes the winners
// (`npm run verify-draw`, or docs/draws.md's few lines of Python).
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ServiceContext } from '../../services/context.ts';
import { readDrawResult } from '../../services/draws.ts';
import { publicRoute } from '../auth/route-access.ts';
import type { GatewayEnv } from '../context.ts';
import { problemResponses } from '../problem.ts';
import { DrawPath, DrawResultSchema, drawResultView } from '../schemas/draws.ts';

const resultRoute = publicRoute({
  method: 'get',
  path: '/v1/catalog/draws/{itemId}/result',
  tags: ['Catalog'],
  summary: "A draw's published data: its commitment, and once closed its seed, entries and winners",
  description:
    'Public. Save it and run `npm run verify-draw -- FILE`: sha256(seed) must equal the commitment, the entries must hash to entriesHash, and the winners must recompute (docs/draws.md).',
  request: { params: DrawPath },
  responses: {
    200: { content: { 'application/json': { schema: DrawResultSchema } }, description: 'The draw' },
    ...problemResponses(404),
  },
});

export function registerDrawRoutes(app: OpenAPIHono<GatewayEnv>, context: ServiceContext): void {
  app.openapi(resultRoute, async (c) => {
    const result = await readDrawResult(context, c.req.valid('param').itemId);
    // A closed draw's data never changes; an open one's gains its seed at the close.
    c.header('Cache-Control', result.draw.status === 'closed' ? 'public, max-age=86400' : 'no-store');
    return c.json(drawResultView(result), 200);
  });
}
