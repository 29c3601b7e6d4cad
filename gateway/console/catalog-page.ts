// The shared catalog: items with their publisher, kind, price, stock left and status. Every partner
// sees the items on sale; withdrawn ones only its own.
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { consoleCatalog } from '../../services/console-lists.ts';
import type { ServiceContext } from '../../services/context.ts';
import { programNames } from '../../store/console-views.ts';
import type { ConsoleContext, ConsoleEnv } from './console-env.ts';
import { consoleJson } from './console-json.ts';
import { page, points } from './layout.ts';

const itemIdPattern = /^itm_[0-9a-z]{26}$/;
const pageSize = 100;

function itemsOf(context: ServiceContext, c: ConsoleContext) {
  const after = c.req.query('after');
  const afterId = after && itemIdPattern.test(after) ? after : null;
  return consoleCatalog(context, c.var.viewer, { afterId, limit: pageSize });
}

export function registerCatalogPage(app: Hono<ConsoleEnv>, context: ServiceContext): void {
  app.get('/catalog', async (c) => {
    const [items, names] = await Promise.all([itemsOf(context, c), programNames(context.db)]);
    const rows = items.map(
      (item) => html`<tr>
        <td>${item.title}<br /><code>${item.id}</code></td>
        <td><code>${item.publisher_id}</code></td>
        <td>${item.kind}</td>
        <td class="figure">${points(item.price_points)} <small>${names.get(item.program_id) ?? item.program_id}</small></td>
        <td class="figure">${points(item.stock_left)} / ${points(item.stock_total)}</td>
        <td class="status-${item.status}">${item.status}</td>
      </tr>`,
    );
    const last = items.at(-1);
    return c.html(
      page(
        { title: 'Catalog', viewer: c.var.viewer, csrfToken: c.var.csrfToken },
        html`<table>
            <thead><tr><th>Item</th><th>Publisher</th><th>Kind</th><th>Price</th><th>Stock left</th><th>Status</th></tr></thead>
            <tbody>${rows.length > 0 ? rows : html`<tr><td colspan="6">No items.</td></tr>`}</tbody>
          </table>
          ${last && items.length === pageSize ? html`<p><a href="/console/catalog?after=${last.id}">More</a></p>` : ''}`,
      ),
    );
  });

  app.get('/catalog.json', async (c) => consoleJson(c, { items: await itemsOf(context, c) }));
}
