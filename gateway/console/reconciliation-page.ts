// Reconciliation breaks still open, by age; finance resolves one after a confirmation page that
// asks for the resolution and its reason (kept with the break for good).
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { ProblemError } from '../../domain/errors.ts';
import { type Resolution, resolutions } from '../../domain/reconciliation.ts';
import { may, requireAllowed } from '../../services/console-access.ts';
import { resolveBreakFromConsole } from '../../services/console-actions.ts';
import { consoleBreaks } from '../../services/console-views.ts';
import type { ServiceContext } from '../../services/context.ts';
import { type ConsoleEnv, clientAddress } from './console-env.ts';
import { csrfField, page, when } from './layout.ts';

const breakIdPattern = /^brk_[0-9a-z]{26}$/;

export function registerReconciliationPages(app: Hono<ConsoleEnv>, context: ServiceContext): void {
  app.get('/reconciliation', async (c) => {
    const viewer = c.var.viewer;
    const { bands } = await consoleBreaks(context, viewer, new Date());
    const canResolve = may(viewer, 'reconciliation_break.resolve');
    const sections = bands.map(
      (band) => html`<h2>${band.label} <small>(${band.total})</small></h2>
        ${band.total > band.breaks.length ? html`<p>The oldest ${band.breaks.length} of ${band.total}; the rest through <code>GET /v1/finance/reconciliation/breaks</code>.</p>` : ''}
        ${
          band.breaks.length === 0
            ? html`<p>None.</p>`
            : html`<table>
                <thead><tr><th>Break</th><th>Kind</th><th>Occurred</th><th>Gateway</th><th>Partner</th><th></th></tr></thead>
                <tbody>${band.breaks.map(
                  (found) => html`<tr>
                    <td><code>${found.id}</code><br /><small>${found.item_key}</small></td>
                    <td>${found.kind}</td>
                    <td>${when(found.occurred_at)}</td>
                    <td>${found.gateway_points === null ? '—' : String(found.gateway_points)} ${found.gateway_status ?? ''}</td>
                    <td>${found.partner_points === null ? '—' : String(found.partner_points)} ${found.partner_status ?? ''}</td>
                    <td>${canResolve ? html`<a href="/console/reconciliation/breaks/${found.id}/resolve">resolve…</a>` : ''}</td>
                  </tr>`,
                )}</tbody>
              </table>`
        }`,
    );
    return c.html(
      page({ title: 'Open reconciliation breaks', viewer, csrfToken: c.var.csrfToken }, html`${sections}`),
    );
  });

  app.get('/reconciliation/breaks/:breakId/resolve', (c) => {
    requireAllowed(c.var.viewer, 'reconciliation_break.resolve');
    const breakId = c.req.param('breakId');
    if (!breakIdPattern.test(breakId))
      throw new ProblemError('not_found', `Break ${breakId} does not exist.`);
    return c.html(
      page(
        { title: `Resolve break ${breakId}?`, viewer: c.var.viewer, csrfToken: c.var.csrfToken },
        html`<p>A resolution is kept for good; it cannot be changed afterwards.</p>
          <form method="post" action="/console/reconciliation/breaks/${breakId}/resolve">
            ${csrfField(c.var.csrfToken)}
            <label>Resolution <select name="resolution">${resolutions.map((resolution) => html`<option>${resolution}</option>`)}</select></label>
            <label>Reason <input name="reason" required maxlength="500" /></label>
            <button type="submit" class="danger">Resolve</button>
            <a href="/console/reconciliation">Cancel</a>
          </form>`,
      ),
    );
  });

  app.post('/reconciliation/breaks/:breakId/resolve', async (c) => {
    const { resolution, reason } = c.var.form;
    if (!resolutions.includes(resolution as Resolution) || !reason || reason.length > 500) {
      throw new ProblemError(
        'validation_failed',
        'Give a resolution and a reason of at most 500 characters.',
      );
    }
    await resolveBreakFromConsole(context, c.var.viewer, {
      breakId: c.req.param('breakId'),
      resolution: resolution as Resolution,
      reason,
      address: clientAddress(c),
      now: new Date(),
    });
    return c.redirect('/console/reconciliation', 303);
  });
}
