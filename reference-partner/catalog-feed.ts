// The reference partner's own catalog, for partners that run one: a feed per programme, held in
// memory and set whole by tests and demos through /_control/catalog, served to the gateway in pages
// at GET /loyalty/catalog (the contract in openapi/partner.json). A programme with no feed set
// answers 404, as a system without a catalog does.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { CatalogFeedPage, CatalogQuery, catalogPageSizeMax, Refusal } from '../adapters/partner-contract.ts';
import type { FaultPlan } from './faults.ts';

export function createCatalogFeed() {
  const feeds = new Map<string, unknown[]>();
  return {
    set(programId: string, items: unknown[]): void {
      feeds.set(programId, [...items]);
    },
    clear(programId?: string): void {
      if (programId) feeds.delete(programId);
      else feeds.clear();
    },
    get(programId: string): unknown[] | undefined {
      return feeds.get(programId);
    },
  };
}

export type CatalogFeed = ReturnType<typeof createCatalogFeed>;

const catalogRoute = createRoute({
  method: 'get',
  path: '/loyalty/catalog',
  summary: "A programme's catalog, for the gateway's catalog sync (only if you run a catalog of your own)",
  description:
    "The gateway reads every page every CATALOG_SYNC_EVERY_SECONDS (15 minutes by default) and makes the shared catalog follow it: an externalRef it has not seen is published, a changed item becomes the item's next version, and an item of yours it synced before that the list leaves out is withdrawn. Answer 404 if you run no catalog for this programme; any other failure leaves the shared catalog as it was until the next read.",
  security: [{ gatewaySignature: [] }],
  request: { query: CatalogQuery },
  responses: {
    200: { content: { 'application/json': { schema: CatalogFeedPage } }, description: 'A page of items' },
    404: {
      content: { 'application/json': { schema: Refusal } },
      description: 'No catalog for this programme',
    },
    503: { description: 'Not now: the gateway reads the whole feed again next time' },
  },
});

/** Cursors are offsets into the feed as it stands: enough for a feed set whole between reads. */
export function registerCatalogFeedRoutes(
  app: OpenAPIHono,
  feed: CatalogFeed,
  faults: FaultPlan,
  pageSize = 100,
): void {
  app.openapi(catalogRoute, (c) => {
    if (faults.take('catalog')?.mode === 'fail_before')
      return c.json({ code: 'unavailable', detail: 'injected fault' }, 503);
    const { programId, cursor } = c.req.valid('query');
    const items = feed.get(programId);
    if (!items) return c.json({ code: 'catalog_unknown', detail: `no catalog for ${programId}` }, 404);
    const start = cursor && /^\d{1,9}$/.test(cursor) ? Number(cursor) : 0;
    const end = start + Math.min(pageSize, catalogPageSizeMax);
    return c.json(
      {
        items: items.slice(start, end) as z.infer<typeof CatalogFeedPage>['items'],
        nextCursor: end < items.length ? String(end) : null,
      },
      200,
    );
  });

  // Not part of the contract: tests and demos set a programme's feed whole, or take it away.
  const SetFeed = z.object({ programId: z.string().min(1), items: z.array(z.unknown()).max(10_000) });
  app.put('/_control/catalog', async (c) => {
    const parsed = SetFeed.safeParse(await c.req.json());
    if (!parsed.success) return c.json({ code: 'validation_failed', detail: parsed.error.message }, 400);
    feed.set(parsed.data.programId, parsed.data.items);
    return c.json({ programId: parsed.data.programId, items: parsed.data.items.length }, 200);
  });
  app.get('/_control/catalog/:programId', (c) => {
    const items = feed.get(c.req.param('programId'));
    return items ? c.json({ items }, 200) : c.json({ code: 'catalog_unknown', detail: 'no feed' }, 404);
  });
  app.delete('/_control/catalog', (c) => {
    feed.clear(c.req.query('programId'));
    return c.body(null, 204);
  });
}
