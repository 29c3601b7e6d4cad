// The audit log, for the operator: the latest sign-ins, refusals and writes.
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { requireAllowed } from '../../services/console-access.ts';
import { readAuditLog } from '../../services/console-audit.ts';
import type { ServiceContext } from '../../services/context.ts';
import type { ConsoleEnv } from './console-env.ts';
import { page, when } from './layout.ts';

export function registerAuditPage(app: Hono<ConsoleEnv>, context: ServiceContext): void {
  app.get('/audit', async (c) => {
    requireAllowed(c.var.viewer, 'audit_log.read');
    const entries = await readAuditLog(context, { actor: null, limit: 200 });
    const rows = entries.map(
      (entry) => html`<tr>
        <td>${when(entry.at)}</td>
        <td>${entry.actor} <small>(${entry.actor_role}${entry.partner_id ? `, ${entry.partner_id}` : ''})</small></td>
        <td>${entry.action}</td>
        <td><code>${entry.target ?? ''}</code></td>
        <td><small>${JSON.stringify(entry.detail) === '{}' ? '' : JSON.stringify(entry.detail)}</small></td>
        <td>${entry.address ?? ''}</td>
      </tr>`,
    );
    return c.html(
      page(
        { title: 'Audit log', viewer: c.var.viewer, csrfToken: c.var.csrfToken },
        html`<table>
          <thead><tr><th>When (UTC)</th><th>Who</th><th>Action</th><th>Target</th><th>Detail</th><th>From</th></tr></thead>
          <tbody>${rows}</tbody>
        </table>`,
      ),
    );
  });
}
