// Alliance analytics in the console: RFM segments per programme (and across the alliance for the
// operator and finance), the top programme pairs, conversion from link to first transfer, over the
// last 30, 90 or 365 days. The same use case as the API's, with a partner user's partner as scope.
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { type SegmentFigures, segments } from '../../domain/analytics.ts';
import {
  type AnalyticsViewer,
  analyticsWindow,
  brandPairs,
  linkConversionReport,
  rfmSegments,
} from '../../services/analytics.ts';
import { type ConsoleViewer, partnerScope } from '../../services/console-access.ts';
import type { ServiceContext } from '../../services/context.ts';
import type { LinkConversion } from '../../store/analytics.ts';
import type { ConsoleEnv } from './console-env.ts';
import { type Html, page, points, when } from './layout.ts';

const periodsDays = [30, 90, 365] as const;
const pairsShown = 10;
const dayMs = 86_400_000;

function analyticsViewerOf(viewer: ConsoleViewer): AnalyticsViewer {
  const partnerId = partnerScope(viewer);
  return partnerId ? { kind: 'partner', partnerId } : { kind: 'alliance' };
}

const segmentHeader = html`<tr><th></th><th>Active</th>${segments.map((segment) => html`<th>${segment.replace('_', ' ')}</th>`)}</tr>`;

function segmentRow(label: Html | string, activeMembers: bigint, figures: SegmentFigures[]): Html {
  return html`<tr><td>${label}</td><td>${points(activeMembers)}</td>${figures.map(
    (segment) =>
      html`<td title="${String(segment.activities)} activities, value ${String(segment.monetaryTotal)}">${points(segment.members)}</td>`,
  )}</tr>`;
}

const duration = (seconds: bigint | null): string => {
  if (seconds === null) return '—';
  const hours = Number(seconds) / 3600;
  return hours < 48 ? `${hours.toFixed(1)} h` : `${(hours / 24).toFixed(1)} days`;
};

const share = (part: bigint, whole: bigint): string =>
  whole === 0n ? '—' : `${((Number(part) / Number(whole)) * 100).toFixed(0)}%`;

function conversionRow(label: Html | string, row: LinkConversion): Html {
  return html`<tr><td>${label}</td><td>${points(row.links)}</td><td>${points(row.converted)} (${share(row.converted, row.links)})</td>
    <td>${share(row.convertedWithin1Day, row.links)}</td><td>${share(row.convertedWithin7Days, row.links)}</td>
    <td>${share(row.convertedWithin30Days, row.links)}</td><td>${duration(row.medianSecondsToFirstTransfer)}</td></tr>`;
}

export function registerAnalyticsPage(app: Hono<ConsoleEnv>, context: ServiceContext): void {
  app.get('/analytics', async (c) => {
    const viewer = c.var.viewer;
    const asked = Number(c.req.query('days') ?? 90);
    const days = periodsDays.find((period) => period === asked) ?? 90;
    const now = new Date();
    const window = analyticsWindow({ from: new Date(now.getTime() - days * dayMs), to: now, now });
    const scope = analyticsViewerOf(viewer);
    const [rfm, pairs, conversion] = await Promise.all([
      rfmSegments(context, scope, { programId: null, window }),
      brandPairs(context, scope, { window, limit: pairsShown }),
      linkConversionReport(context, scope, { window }),
    ]);
    const body = html`<form method="get" action="/console/analytics">
        <label>Period <select name="days">${periodsDays.map((period) => html`<option value="${String(period)}" ${period === days ? 'selected' : ''}>last ${String(period)} days</option>`)}</select></label>
        <button type="submit">Show</button>
        <small>${when(window.from)} – ${when(window.to)} (UTC)</small>
      </form>
      <h2>Members by RFM segment</h2>
      <p><small>Members active in the period (a completed transfer out of or into the programme, or a catalog order paid with its points), scored on recency, frequency and value; see docs/analytics.md.</small></p>
      ${
        rfm.programs.length === 0 && !rfm.alliance?.length
          ? html`<p>No member was active in the period.</p>`
          : html`<table><thead>${segmentHeader}</thead><tbody>
            ${rfm.programs.map((program) => segmentRow(html`${program.programName}<br /><code>${program.programId}</code>`, program.activeMembers, program.segments))}
            ${(rfm.alliance ?? []).map((currency) => segmentRow(html`<strong>Alliance</strong> (${currency.currency} settlement value)`, currency.activeMembers, currency.segments))}
          </tbody></table>`
      }
      <h2>Top programme pairs</h2>
      ${
        pairs.length === 0
          ? html`<p>No completed transfer in the period.</p>`
          : html`<table><thead><tr><th>From</th><th>To</th><th>Transfers</th><th>Members</th><th>Points debited</th><th>Points credited</th></tr></thead>
            <tbody>${pairs.map(
              (
                pair,
              ) => html`<tr><td>${pair.sourceProgramName}</td><td>${pair.targetProgramName}</td><td>${points(pair.transfers)}</td>
                <td>${points(pair.members)}</td><td>${points(pair.debitPoints)}</td><td>${points(pair.creditPoints)}</td></tr>`,
            )}</tbody></table>`
      }
      <h2>From link to first transfer</h2>
      <table><thead><tr><th>Programme</th><th>Links made</th><th>Transferred</th><th>Within 1 day</th><th>Within 7 days</th><th>Within 30 days</th><th>Median time</th></tr></thead>
        <tbody>${conversion.programs.map((row) => conversionRow(row.programName ?? '', row))}${conversionRow(html`<strong>All</strong>`, conversion.total)}</tbody></table>`;
    return c.html(page({ title: 'Analytics', viewer, csrfToken: c.var.csrfToken }, body));
  });
}
