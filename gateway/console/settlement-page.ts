// Settlement cycles: the list, and one cycle's gross against net per currency, the positions and
// the payment instructions. A partner's user sees its own positions and payments.
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { positionsPlot } from '../../services/console-plots.ts';
import { downloadableStatements } from '../../services/console-statements.ts';
import { consoleCycle, consoleCycles } from '../../services/console-views.ts';
import type { ServiceContext } from '../../services/context.ts';
import type { ConsoleEnv } from './console-env.ts';
import { consoleJson } from './console-json.ts';
import { chartScripts } from './flows-page.ts';
import { money, page, when } from './layout.ts';

export function registerSettlementPages(app: Hono<ConsoleEnv>, context: ServiceContext): void {
  app.get('/settlement', async (c) => {
    const cycles = await consoleCycles(context, 100);
    const rows = cycles.map(
      (cycle) => html`<tr>
        <td><a href="/console/settlement/${cycle.id}"><code>${cycle.id}</code></a></td>
        <td>${cycle.period_label ?? ''}</td>
        <td>${cycle.status}</td>
        <td>${when(cycle.opened_at)}</td>
        <td>${when(cycle.closed_at)}</td>
        <td class="figure">${cycle.obligation_count === null ? '' : String(cycle.obligation_count)}</td>
      </tr>`,
    );
    return c.html(
      page(
        { title: 'Settlement cycles', viewer: c.var.viewer, csrfToken: c.var.csrfToken },
        html`<table>
          <thead><tr><th>Cycle</th><th>Period</th><th>Status</th><th>Opened</th><th>Closed</th><th>Obligations</th></tr></thead>
          <tbody>${rows.length > 0 ? rows : html`<tr><td colspan="6">No cycles yet.</td></tr>`}</tbody>
        </table>`,
      ),
    );
  });

  app.get('/settlement/:cycleId', async (c) => {
    const [cycle, statements] = await Promise.all([
      consoleCycle(context, c.var.viewer, c.req.param('cycleId')),
      downloadableStatements(context, c.var.viewer, c.req.param('cycleId')),
    ]);
    const statementRows = statements.map(
      (partnerId) => html`<tr>
        <td><code>${partnerId}</code></td>
        <td><a href="/console/settlement/${cycle.cycle.id}/statements/${partnerId}/statement.jws">statement (JWS)</a></td>
        <td><a href="/console/settlement/${cycle.cycle.id}/statements/${partnerId}/lines.csv">lines (CSV)</a></td>
      </tr>`,
    );
    const totals = cycle.totals.map(
      (total) => html`<tr>
        <td>${total.currency}</td>
        <td class="figure">${money(total.grossMinor, total.currency)}</td>
        <td class="figure">${money(total.netMinor, total.currency)}</td>
        <td class="figure">${(Number(total.savedBasisPoints) / 100).toFixed(2)} %</td>
      </tr>`,
    );
    const positions = cycle.positions.map(
      (position) => html`<tr>
        <td><code>${position.party_id}</code></td>
        <td class="figure">${money(position.receivable_minor, position.currency)}</td>
        <td class="figure">${money(position.payable_minor, position.currency)}</td>
        <td class="figure">${money(position.net_minor, position.currency)}</td>
      </tr>`,
    );
    const instructions = cycle.instructions.map(
      (instruction) => html`<tr>
        <td><code>${instruction.id}</code></td>
        <td><code>${instruction.payer_id}</code> → <code>${instruction.payee_id}</code></td>
        <td class="figure">${money(instruction.amount_minor, instruction.currency)}</td>
        <td>${instruction.status}${instruction.payment_reference ? ` (${instruction.payment_reference})` : ''}</td>
      </tr>`,
    );
    const none = (columns: number) => html`<tr><td colspan="${columns}">None.</td></tr>`;
    return c.html(
      page(
        {
          title: `Cycle ${cycle.cycle.period_label ?? cycle.cycle.id}`,
          viewer: c.var.viewer,
          csrfToken: c.var.csrfToken,
          scripts: chartScripts,
        },
        html`<p>Status ${cycle.cycle.status}; closed ${when(cycle.cycle.closed_at)}.</p>
          <h2>Gross against net</h2>
          <table>
            <thead><tr><th>Currency</th><th>Gross (owed in all)</th><th>Net (paid)</th><th>Saved by netting</th></tr></thead>
            <tbody>${totals.length > 0 ? totals : none(4)}</tbody>
          </table>
          <h2>Positions</h2>
          <div class="chart" data-chart="positions" data-source="/console/settlement/${cycle.cycle.id}/positions.json"></div>
          <table>
            <thead><tr><th>Party</th><th>Receivable</th><th>Payable</th><th>Net</th></tr></thead>
            <tbody>${positions.length > 0 ? positions : none(4)}</tbody>
          </table>
          <h2>Payment instructions</h2>
          <table>
            <thead><tr><th>Instruction</th><th>Payer → payee</th><th>Amount</th><th>Status</th></tr></thead>
            <tbody>${instructions.length > 0 ? instructions : none(4)}</tbody>
          </table>
          <h2>Signed statements</h2>
          <p>Each partner's statement is signed by the gateway (verify it against /.well-known/jwks.json); its lines are every obligation behind it.</p>
          <table>
            <thead><tr><th>Partner</th><th>Statement</th><th>Lines</th></tr></thead>
            <tbody>${statementRows.length > 0 ? statementRows : none(3)}</tbody>
          </table>`,
      ),
    );
  });

  app.get('/settlement/:cycleId/positions.json', async (c) =>
    consoleJson(c, await positionsPlot(context, c.var.viewer, c.req.param('cycleId'))),
  );
}
