// Webhook deliveries, newest first: status, attempts, the last error and when the next retry is due
// (about: see nextRetryAbout). A partner's user sees what GET /v1/webhook-deliveries gives its partner.
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { consoleDeliveries, nextRetryAbout } from '../../services/console-lists.ts';
import type { ServiceContext } from '../../services/context.ts';
import type { ConsoleContext, ConsoleEnv } from './console-env.ts';
import { consoleJson } from './console-json.ts';
import { page, when } from './layout.ts';

const deliveryIdPattern = /^whk_[0-9a-z]{26}$/;
const pageSize = 50;

function deliveriesOf(context: ServiceContext, c: ConsoleContext) {
  const before = c.req.query('before');
  const cursor = before && deliveryIdPattern.test(before) ? before : null;
  return consoleDeliveries(context, c.var.viewer, { cursor, limit: pageSize });
}

export function registerWebhooksPage(app: Hono<ConsoleEnv>, context: ServiceContext): void {
  app.get('/webhooks', async (c) => {
    const deliveries = await deliveriesOf(context, c);
    const rows = deliveries.map(
      (delivery) => html`<tr>
        <td><code>${delivery.id}</code><br /><small>${delivery.event_id}</small></td>
        <td><code>${delivery.partner_id}</code></td>
        <td>${delivery.event_type}</td>
        <td>${when(delivery.created_at)}</td>
        <td class="status-${delivery.status}">${delivery.status}${delivery.delivered_at ? html`<br /><small>${when(delivery.delivered_at)}</small>` : ''}</td>
        <td class="figure">${String(delivery.attempts)}</td>
        <td>${delivery.status === 'pending' ? html`about ${when(nextRetryAbout(delivery))}` : '—'}</td>
        <td><small>${delivery.last_error ?? ''}</small></td>
      </tr>`,
    );
    const last = deliveries.at(-1);
    return c.html(
      page(
        { title: 'Webhook deliveries', viewer: c.var.viewer, csrfToken: c.var.csrfToken },
        html`<table>
            <thead><tr><th>Delivery</th><th>Partner</th><th>Event</th><th>Created (UTC)</th><th>Status</th><th>Attempts</th><th>Next retry</th><th>Last error</th></tr></thead>
            <tbody>${rows.length > 0 ? rows : html`<tr><td colspan="8">No deliveries.</td></tr>`}</tbody>
          </table>
          ${last && deliveries.length === pageSize ? html`<p><a href="/console/webhooks?before=${last.id}">Older</a></p>` : ''}`,
      ),
    );
  });

  app.get('/webhooks.json', async (c) => {
    const deliveries = await deliveriesOf(context, c);
    return consoleJson(c, {
      deliveries: deliveries.map((delivery) => ({ ...delivery, nextRetryAbout: nextRetryAbout(delivery) })),
    });
  });
}
