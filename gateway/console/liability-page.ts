// What each hosted programme owes its members: their posted points at the end of each day, from the
// ledger's entries (default the last 30 days). Programmes on a partner's own system are not in the
// gateway's ledger, and the page names them rather than drawing a line of zeros.
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { liabilityPlot } from '../../services/console-plots.ts';
import type { ServiceContext } from '../../services/context.ts';
import type { ConsoleEnv } from './console-env.ts';
import { consoleJson } from './console-json.ts';
import { chartScripts, periodForm } from './flows-page.ts';
import { page } from './layout.ts';
import { periodFrom } from './period.ts';

export function registerLiabilityPage(app: Hono<ConsoleEnv>, context: ServiceContext): void {
  app.get('/liability', async (c) => {
    const period = periodFrom(c.req.query(), new Date(), 30);
    const source = `/console/liability.json?${new URLSearchParams({ from: period.fromDay, to: period.toDay })}`;
    const plot = await liabilityPlot(context, c.var.viewer, period);
    return c.html(
      page(
        {
          title: 'Outstanding points',
          viewer: c.var.viewer,
          csrfToken: c.var.csrfToken,
          scripts: chartScripts,
        },
        html`${periodForm('/console/liability', period)}
          <p>Each hosted programme's members' posted points at the end of each UTC day: what the programme owes them.</p>
          <div class="chart" data-chart="liability" data-source="${source}"></div>
          <noscript>The plot needs JavaScript; the figures are at <a href="${source}">liability.json</a>.</noscript>
          ${
            plot.notInLedger.length > 0
              ? html`<p>Not in the gateway's ledger (their points are kept in the partner's own system):
                  ${plot.notInLedger.map((program) => program.name).join(', ')}.</p>`
              : ''
          }`,
      ),
    );
  });

  app.get('/liability.json', async (c) => {
    const period = periodFrom(c.req.query(), new Date(), 30);
    return consoleJson(c, await liabilityPlot(context, c.var.viewer, period));
  });
}
