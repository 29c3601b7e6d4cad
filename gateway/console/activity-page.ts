// The console's first page: transfers per minute by outcome over the last hours, drawn by uPlot
// (served from node_modules under /console/assets) from the JSON endpoint next to it.
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { transferActivity } from '../../services/console-views.ts';
import type { ServiceContext } from '../../services/context.ts';
import type { ConsoleEnv } from './console-env.ts';
import { page } from './layout.ts';

const hoursChoices = [1, 3, 6, 12, 24] as const;

function hoursFrom(given: string | undefined): number {
  return hoursChoices.find((hours) => String(hours) === given) ?? 3;
}

export function registerActivityPage(app: Hono<ConsoleEnv>, context: ServiceContext): void {
  app.get('/', (c) => {
    const hours = hoursFrom(c.req.query('hours'));
    return c.html(
      page(
        {
          title: 'Transfers per minute',
          viewer: c.var.viewer,
          csrfToken: c.var.csrfToken,
          styles: ['/console/assets/uPlot.min.css'],
          scripts: ['/console/assets/uPlot.iife.min.js', '/console/assets/activity-chart.js'],
        },
        html`<p>
            By outcome, by the minute each transfer was created (UTC), over the last
            ${hoursChoices.map((choice) => (choice === hours ? html`<strong>${choice} h</strong> ` : html`<a href="/console?hours=${choice}">${choice} h</a> `))}
          </p>
          <div id="activity-chart" data-source="/console/activity.json?hours=${hours}"></div>
          <noscript>The plot needs JavaScript; the figures are at <a href="/console/activity.json?hours=${hours}">activity.json</a>.</noscript>`,
      ),
    );
  });

  app.get('/activity.json', async (c) => {
    const activity = await transferActivity(context, c.var.viewer, {
      hours: hoursFrom(c.req.query('hours')),
      now: new Date(),
    });
    return c.json(activity, 200, { 'Cache-Control': 'no-store' });
  });
}
