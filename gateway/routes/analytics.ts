// Alliance analytics: RFM segments, the top programme pairs and conversion from link to first
// transfer. The same three figures at three doors: a partner's (its own programmes, and pairs with
// one of them at either end), the operator's and finance's (the whole alliance).
import type { OpenAPIHono, z } from '@hono/zod-openapi';
import {
  type AnalyticsViewer,
  analyticsWindow,
  brandPairs,
  linkConversionReport,
  rfmSegments,
} from '../../services/analytics.ts';
import type { ServiceContext } from '../../services/context.ts';
import { signedRoute } from '../auth/route-access.ts';
import type { SignerKind } from '../auth/signed-by.ts';
import type { GatewayEnv, Principal } from '../context.ts';
import { problemResponses } from '../problem.ts';
import {
  BrandPairsQuery,
  BrandPairsSchema,
  brandPairsView,
  ConversionQuery,
  ConversionSchema,
  conversionView,
  RfmQuery,
  RfmSchema,
  rfmView,
} from '../schemas/analytics.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

const doors = [
  { kind: 'partner', prefix: '/v1/analytics', tags: ['Analytics'], who: 'your programmes' },
  { kind: 'operator', prefix: '/v1/operator/analytics', tags: ['Operator: analytics'], who: 'the alliance' },
  { kind: 'finance', prefix: '/v1/finance/analytics', tags: ['Finance: analytics'], who: 'the alliance' },
] as const satisfies readonly { kind: SignerKind; prefix: string; tags: string[]; who: string }[];

type Door = (typeof doors)[number];

function routesOf(door: Door) {
  return {
    rfm: signedRoute(door.kind, {
      method: 'get',
      path: `${door.prefix}/rfm`,
      tags: [...door.tags],
      summary: `RFM segments of the members of ${door.who}`,
      description:
        "Each member active in the window (a completed transfer out of or into the programme, or a catalog order paid with its points) is scored 1 to 5 on recency (days from the last activity to the window's end: ≤7, ≤30, ≤90, ≤180, older), frequency and monetary value (quintile among the programme's active members), and counted in a segment: champions, new, loyal, promising, at_risk, needs_attention, hibernating (docs/analytics.md has the table).",
      request: { query: RfmQuery },
      responses: {
        200: json(RfmSchema, 'Segments per programme (and across the alliance)'),
        ...problemResponses(400, 401, 403, 422),
      },
    }),
    pairs: signedRoute(door.kind, {
      method: 'get',
      path: `${door.prefix}/brand-pairs`,
      tags: [...door.tags],
      summary: `The programme pairs members move points between most (${door.who})`,
      description:
        'Completed transfers in the window per ordered pair of programmes (source → target), most transfers first (more points debited first among equals).',
      request: { query: BrandPairsQuery },
      responses: { 200: json(BrandPairsSchema, 'The top pairs'), ...problemResponses(400, 401, 403) },
    }),
    conversion: signedRoute(door.kind, {
      method: 'get',
      path: `${door.prefix}/link-conversion`,
      tags: [...door.tags],
      summary: `Conversion from link to first transfer (${door.who})`,
      description:
        "Links made in the window, and how many led to the member's first completed transfer out of or into the linked programme: at all, within 1, 7 and 30 days, and the median time to it.",
      request: { query: ConversionQuery },
      responses: {
        200: json(ConversionSchema, 'Conversion per programme and in total'),
        ...problemResponses(400, 401, 403),
      },
    }),
  };
}

function viewerOf(principal: Principal): AnalyticsViewer {
  return principal.kind === 'partner'
    ? { kind: 'partner', partnerId: principal.partnerId }
    : { kind: 'alliance' };
}

const windowOf = (query: { from?: string | undefined; to?: string | undefined }) =>
  analyticsWindow({
    from: query.from ? new Date(query.from) : null,
    to: query.to ? new Date(query.to) : null,
    now: new Date(),
  });

export function registerAnalyticsRoutes(app: OpenAPIHono<GatewayEnv>, context: ServiceContext): void {
  for (const door of doors) {
    const routes = routesOf(door);
    app.openapi(routes.rfm, async (c) => {
      const query = c.req.valid('query');
      const report = await rfmSegments(context, viewerOf(c.var.principal), {
        programId: query.programId ?? null,
        window: windowOf(query),
      });
      return c.json(rfmView(report), 200);
    });
    app.openapi(routes.pairs, async (c) => {
      const query = c.req.valid('query');
      const window = windowOf(query);
      const pairs = await brandPairs(context, viewerOf(c.var.principal), { window, limit: query.limit });
      return c.json(brandPairsView(window, pairs), 200);
    });
    app.openapi(routes.conversion, async (c) => {
      const report = await linkConversionReport(context, viewerOf(c.var.principal), {
        window: windowOf(c.req.valid('query')),
      });
      return c.json(conversionView(report), 200);
    });
  }
}
