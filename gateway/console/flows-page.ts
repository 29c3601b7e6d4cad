// Where points flow between brands: a Sankey of completed transfers between programmes over a
// period (default the last 7 days), each link the points debited at its source. Drawn by ECharts
// from /console/flows.json; a partner's user sees the flows touching its programmes.
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { flowPlot } from '../../services/console-plots.ts';
import type { ServiceContext } from '../../services/context.ts';
import type { ConsoleEnv } from './console-env.ts';
import { consoleJson } from './console-json.ts';
import { type Html, page } from './layout.ts';
import { periodFrom } from './period.ts';

export const chartScripts = ['/console/assets/echarts.min.js', '/console/assets/console-charts.js'];

/** The period form every plot page carries: from and to as days. */
export function periodForm(action: string, period: { fromDay: string; toDay: string }): Html {
  return html`<form method="get" action="${action}" class="filter">
    <label>From <input type="date" name="from" value="${period.fromDay}" /></label>
    <label>To <input type="date" name="to" value="${period.toDay}" /></label>
    <button type="submit">Show</button>
  </form>`;
}

export function registerFlowsPage(app: Hono<ConsoleEnv>, context: ServiceContext): void {
  app.get('/flows', (c) => {
    const period = periodFrom(c.req.query(), new Date(), 7);
    const source = `/console/flows.json?${new URLSearchParams({ from: period.fromDay, to: period.toDay })}`;
    return c.html(
      page(
        {
          title: 'Points between brands',
          viewer: c.var.viewer,
          csrfToken: c.var.csrfToken,
          scripts: chartScripts,
        },
        html`${periodForm('/console/flows', period)}
          <p>
            Completed transfers created from ${period.fromDay} to ${period.toDay} (UTC), from each programme on the
            left to each on the right; a band's width is the points debited at its source, in the source's own
            unit (programmes' units differ, so compare bands leaving one programme rather than across them).
          </p>
          <div class="chart" data-chart="sankey" data-source="${source}"></div>
          <noscript>The plot needs JavaScript; the figures are at <a href="${source}">flows.json</a>.</noscript>`,
      ),
    );
  });

  app.get('/flows.json', async (c) => {
    const period = periodFrom(c.req.query(), new Date(), 7);
    return consoleJson(c, await flowPlot(context, c.var.viewer, period));
  });
}
