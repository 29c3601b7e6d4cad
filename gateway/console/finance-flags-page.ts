// Finance flags: what needs a person (a post the source could no longer honour, a compensation that
// could not be made, a reversal's shortfall, a catalog order, an accrual or a points payment whose
// partner call cannot be known). Finance resolves one with a reason, after a confirmation.
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { ProblemError } from '../../domain/errors.ts';
import { may, requireAllowed } from '../../services/console-access.ts';
import { resolveFlagFromConsole } from '../../services/console-actions.ts';
import { consoleFlags, consoleFlagsShown } from '../../services/console-lists.ts';
import type { ServiceContext } from '../../services/context.ts';
import type { FinanceFlag } from '../../store/database.ts';
import { type ConsoleEnv, clientAddress } from './console-env.ts';
import { consoleJson } from './console-json.ts';
import { csrfField, page, when } from './layout.ts';

const flagIdPattern = /^[1-9][0-9]{0,17}$/;
const states = ['open', 'resolved', 'all'] as const;

function flagIdFrom(given: string): bigint {
  if (!flagIdPattern.test(given))
    throw new ProblemError('not_found', `Finance flag ${given} does not exist.`);
  return BigInt(given);
}

/** What the flag names: a transfer links to its page; the others are named by kind and id. */
function subjectOf(flag: FinanceFlag) {
  const part = flag.reversal_id ?? flag.accrual_reversal_id;
  const detail = part ? html`<br /><small>${part}</small>` : '';
  if (flag.transfer_id) {
    return html`<a href="/console/transfers/${flag.transfer_id}"><code>${flag.transfer_id}</code></a>${detail}`;
  }
  if (flag.accrual_id) return html`accrual <code>${flag.accrual_id}</code>${detail}`;
  if (flag.points_payment_id) return html`points payment <code>${flag.points_payment_id}</code>`;
  return html`order <code>${flag.catalog_order_id ?? ''}</code>`;
}

export function registerFinanceFlagsPage(app: Hono<ConsoleEnv>, context: ServiceContext): void {
  app.get('/finance-flags', async (c) => {
    const viewer = c.var.viewer;
    const state = states.find((candidate) => candidate === c.req.query('state')) ?? 'open';
    const flags = await consoleFlags(context, viewer, state);
    const canResolve = may(viewer, 'finance_flag.resolve');
    const rows = flags.map(
      (flag) => html`<tr>
        <td>${String(flag.id)}</td>
        <td>${when(flag.created_at)}</td>
        <td>${subjectOf(flag)}</td>
        <td>${flag.reason}</td>
        <td>${flag.resolved_at ? html`${when(flag.resolved_at)} by ${flag.resolved_by ?? ''}: ${flag.resolution_reason ?? ''}` : canResolve ? html`<a href="/console/finance-flags/${String(flag.id)}/resolve">resolve…</a>` : 'open'}</td>
      </tr>`,
    );
    return c.html(
      page(
        { title: 'Finance flags', viewer, csrfToken: c.var.csrfToken },
        html`<p>${states.map((choice) => (choice === state ? html`<strong>${choice}</strong> ` : html`<a href="/console/finance-flags?state=${choice}">${choice}</a> `))}</p>
          ${flags.length === consoleFlagsShown ? html`<p>The newest ${consoleFlagsShown}, newest first; the older ones page through <code>GET /v1/finance/flags</code>.</p>` : html`<p>Newest first.</p>`}
          <table>
            <thead><tr><th>Flag</th><th>Raised (UTC)</th><th>Subject</th><th>Why</th><th>Resolution</th></tr></thead>
            <tbody>${rows.length > 0 ? rows : html`<tr><td colspan="5">None.</td></tr>`}</tbody>
          </table>`,
      ),
    );
  });

  app.get('/finance-flags.json', async (c) => {
    const state = states.find((candidate) => candidate === c.req.query('state')) ?? 'open';
    return consoleJson(c, { flags: await consoleFlags(context, c.var.viewer, state) });
  });

  app.get('/finance-flags/:flagId/resolve', (c) => {
    requireAllowed(c.var.viewer, 'finance_flag.resolve');
    const flagId = flagIdFrom(c.req.param('flagId'));
    return c.html(
      page(
        { title: `Resolve finance flag ${flagId}?`, viewer: c.var.viewer, csrfToken: c.var.csrfToken },
        html`<p>The reason is kept with the flag for good; a resolved flag cannot be resolved again.</p>
          <form method="post" action="/console/finance-flags/${String(flagId)}/resolve">
            ${csrfField(c.var.csrfToken)}
            <label>Reason <input name="reason" required maxlength="500" /></label>
            <button type="submit" class="danger">Resolve</button>
            <a href="/console/finance-flags">Cancel</a>
          </form>`,
      ),
    );
  });

  app.post('/finance-flags/:flagId/resolve', async (c) => {
    const flagId = flagIdFrom(c.req.param('flagId'));
    const { reason } = c.var.form;
    if (!reason || reason.length > 500) {
      throw new ProblemError('validation_failed', 'Give a reason of at most 500 characters.');
    }
    await resolveFlagFromConsole(context, c.var.viewer, {
      flagId,
      reason,
      address: clientAddress(c),
      now: new Date(),
    });
    return c.redirect('/console/finance-flags?state=resolved', 303);
  });
}
