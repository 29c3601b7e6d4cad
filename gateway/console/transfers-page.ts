// Transfers: a list filtered by state, partner, member and creation day (transfer-filters.ts), and
// one transfer's steps as a timeline with a link to its workflow in the Temporal UI. A partner's
// user sees the transfers its partner is party to.
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { consoleTransfer, consoleTransfers } from '../../services/console-views.ts';
import type { ServiceContext } from '../../services/context.ts';
import type { ConsoleEnv, ConsoleOptions } from './console-env.ts';
import { page, points, when } from './layout.ts';
import { filterForm, filterQuery, transferFilters } from './transfer-filters.ts';

const pageSize = 50;

export function registerTransferPages(
  app: Hono<ConsoleEnv>,
  context: ServiceContext,
  options: ConsoleOptions,
): void {
  app.get('/transfers', async (c) => {
    const filters = transferFilters(c.req.query());
    const { transfers, programNames, partners } = await consoleTransfers(context, c.var.viewer, {
      status: filters.state,
      partyPartnerId: filters.partner,
      memberId: filters.member,
      from: filters.from,
      to: filters.to,
      cursor: filters.before,
      limit: pageSize,
    });
    const name = (programId: string) => programNames.get(programId) ?? programId;
    const last = transfers.at(-1);
    const filter = filterForm(filters, partners);
    const rows = transfers.map(
      (transfer) => html`<tr>
        <td><a href="/console/transfers/${transfer.id}"><code>${transfer.id}</code></a></td>
        <td>${when(transfer.created_at)}</td>
        <td>${name(transfer.source_program_id)} → ${name(transfer.target_program_id)}</td>
        <td class="figure">${points(transfer.debit_points)} → ${points(transfer.credit_points)}</td>
        <td class="status-${transfer.status}">${transfer.status}${transfer.failure_code ? html`<br /><small>${transfer.failure_code}</small>` : ''}</td>
      </tr>`,
    );
    return c.html(
      page(
        { title: 'Transfers', viewer: c.var.viewer, csrfToken: c.var.csrfToken },
        html`${filter}
          <table>
            <thead><tr><th>Transfer</th><th>Created (UTC)</th><th>Programmes</th><th>Points</th><th>State</th></tr></thead>
            <tbody>${rows.length > 0 ? rows : html`<tr><td colspan="5">No transfers.</td></tr>`}</tbody>
          </table>
          ${
            last && transfers.length === pageSize
              ? html`<p><a href="/console/transfers?${filterQuery({ ...filters, before: last.id })}">Older</a></p>`
              : ''
          }`,
      ),
    );
  });

  app.get('/transfers/:transferId', async (c) => {
    const { transfer, steps, programNames } = await consoleTransfer(
      context,
      c.var.viewer,
      c.req.param('transferId'),
    );
    const name = (programId: string) => programNames.get(programId) ?? programId;
    const temporal = options.temporalUi;
    const workflowLink = temporal
      ? html`<p><a href="${temporal.url}/namespaces/${encodeURIComponent(temporal.namespace)}/workflows/${encodeURIComponent(transfer.id)}">Its workflow in the Temporal UI</a></p>`
      : '';
    return c.html(
      page(
        { title: `Transfer ${transfer.id}`, viewer: c.var.viewer, csrfToken: c.var.csrfToken },
        html`<dl>
            <dt>State</dt><dd class="status-${transfer.status}">${transfer.status}${transfer.failure_code ? ` (${transfer.failure_code}: ${transfer.failure_detail ?? ''})` : ''}</dd>
            <dt>From</dt><dd>${name(transfer.source_program_id)}, account ${transfer.source_account_ref}: ${points(transfer.debit_points)} points</dd>
            <dt>To</dt><dd>${name(transfer.target_program_id)}, account ${transfer.target_account_ref}: ${points(transfer.credit_points)} points</dd>
            <dt>Member</dt><dd><code>${transfer.member_id}</code></dd>
            <dt>Requested by</dt><dd><code>${transfer.requested_by}</code></dd>
          </dl>
          ${workflowLink}
          <h2>Timeline</h2>
          <ol class="timeline">
            ${steps.map(
              (step) => html`<li class="outcome-${step.outcome}">
                <time>${when(step.at)}</time> <strong>${step.step}</strong> ${step.outcome}
                ${step.detail ? html`<br /><small>${step.detail}</small>` : ''}
              </li>`,
            )}
          </ol>`,
      ),
    );
  });
}
