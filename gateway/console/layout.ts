// The console's page frame: head, navigation by role, the signed-in user and a sign-out form.
// Pages are server-rendered with Hono's html helper, which escapes every interpolated string.
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { type ConsoleViewer, may } from '../../services/console-access.ts';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

interface Frame {
  title: string;
  viewer: ConsoleViewer | null;
  csrfToken: string | null;
  /** Scripts served under /console/assets, loaded at the end of the body. */
  scripts?: string[];
  styles?: string[];
}

function navigation(viewer: ConsoleViewer): Html {
  const links: [string, string][] = [
    ['/console', 'Activity'],
    ['/console/flows', 'Flows'],
    ['/console/liability', 'Liability'],
    ['/console/alliance', 'Alliance'],
    ['/console/keys', 'Keys'],
    ['/console/members', 'Members'],
    ['/console/transfers', 'Transfers'],
    ['/console/catalog', 'Catalog'],
    ['/console/webhooks', 'Webhooks'],
    ['/console/settlement', 'Settlement'],
    ['/console/reconciliation', 'Reconciliation'],
    ['/console/analytics', 'Analytics'],
  ];
  if (may(viewer, 'finance_flag.read')) links.push(['/console/finance-flags', 'Finance flags']);
  if (may(viewer, 'audit_log.read')) links.push(['/console/audit', 'Audit log']);
  return html`<nav>${links.map(([href, label]) => html`<a href="${href}">${label}</a>`)}</nav>`;
}

export function page(frame: Frame, body: Html): Html {
  const { viewer } = frame;
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${frame.title} · Alliance console</title>
    <link rel="stylesheet" href="/console/assets/console.css" />
    ${(frame.styles ?? []).map((href) => html`<link rel="stylesheet" href="${href}" />`)}
  </head>
  <body>
    <header>
      <strong>Alliance console</strong>
      ${viewer ? navigation(viewer) : ''}
      ${
        viewer && frame.csrfToken
          ? html`<form method="post" action="/console/sign-out" class="who">
              <span>${viewer.username} · ${viewer.role}${viewer.partnerId ? html` of ${viewer.partnerId}` : ''}</span>
              <input type="hidden" name="csrf" value="${frame.csrfToken}" />
              <button type="submit">Sign out</button>
            </form>`
          : ''
      }
    </header>
    <main>
      <h1>${frame.title}</h1>
      ${body}
    </main>
    ${(frame.scripts ?? []).map((src) => html`<script src="${src}"></script>`)}
  </body>
</html>`;
}

/** A hidden field with the session's CSRF token, for every form. */
export const csrfField = (token: string): Html => html`<input type="hidden" name="csrf" value="${token}" />`;

export const when = (at: Date | null): string => (at ? at.toISOString().replace('T', ' ').slice(0, 19) : '—');

export const points = (value: bigint): string => value.toLocaleString('en');

/** Minor units to a decimal figure with its currency (two decimals; the alliance settles in such currencies). */
export const money = (minor: bigint, currency: string): string => {
  const sign = minor < 0n ? '-' : '';
  const absolute = minor < 0n ? -minor : minor;
  return `${sign}${(absolute / 100n).toLocaleString('en')}.${String(absolute % 100n).padStart(2, '0')} ${currency}`;
};
