// Partners' signing keys with their rotation state: kid, algorithm, active or retired, added and
// retired at. Only the key's names and dates: no key material is read for this page.
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { consoleKeys } from '../../services/console-lists.ts';
import type { ServiceContext } from '../../services/context.ts';
import type { ConsoleEnv } from './console-env.ts';
import { consoleJson } from './console-json.ts';
import { page, when } from './layout.ts';

export function registerKeysPage(app: Hono<ConsoleEnv>, context: ServiceContext): void {
  app.get('/keys', async (c) => {
    const keys = await consoleKeys(context, c.var.viewer);
    const rows = keys.map(
      (key) => html`<tr>
        <td><code>${key.partner_id}</code></td>
        <td><code>${key.kid}</code></td>
        <td>${key.alg}</td>
        <td class="status-${key.status}">${key.status}</td>
        <td>${when(key.created_at)}</td>
        <td>${when(key.retired_at)}</td>
      </tr>`,
    );
    return c.html(
      page(
        { title: 'Signing keys', viewer: c.var.viewer, csrfToken: c.var.csrfToken },
        html`<p>A partner rotates by adding a key, moving its signing to it, then retiring the old one; the gateway accepts every active key meanwhile.</p>
          <table>
            <thead><tr><th>Partner</th><th>Key id</th><th>Algorithm</th><th>State</th><th>Added (UTC)</th><th>Retired (UTC)</th></tr></thead>
            <tbody>${rows.length > 0 ? rows : html`<tr><td colspan="6">No keys.</td></tr>`}</tbody>
          </table>`,
      ),
    );
  });

  app.get('/keys.json', async (c) => consoleJson(c, { keys: await consoleKeys(context, c.var.viewer) }));
}
