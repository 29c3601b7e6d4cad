// Members: find one by a programme's account or by its id, then its links, its balance in each
// programme (hosted: from the ledger, with what expires when; a partner's own system: kept there)
// and what moved its points. The same figures at /console/members.json with the same query.
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { ProblemError } from '../../domain/errors.ts';
import { type ConsoleMember, findConsoleMember, type MemberLookup } from '../../services/console-members.ts';
import type { ServiceContext } from '../../services/context.ts';
import type { ConsoleContext, ConsoleEnv } from './console-env.ts';
import { consoleJson } from './console-json.ts';
import { type Html, page, points, when } from './layout.ts';

const memberIdPattern = /^mbr_[0-9a-z]{26}$/;
const historyPaths = { transfer: '/console/transfers/', order: null, accrual: null, payment: null } as const;

/** The lookup the query asks for; null when the form is not filled in yet. */
function lookupFrom(c: ConsoleContext): MemberLookup | null {
  const memberId = c.req.query('memberId')?.trim();
  if (memberId) {
    if (!memberIdPattern.test(memberId)) throw new ProblemError('not_found', `No member ${memberId}.`);
    return { memberId };
  }
  const programId = c.req.query('programId')?.trim();
  const accountRef = c.req.query('accountRef')?.trim();
  if (programId && accountRef) return { programId, accountRef };
  return null;
}

function searchForm(lookup: MemberLookup | null): Html {
  const given = (field: 'memberId' | 'programId' | 'accountRef') =>
    lookup && field in lookup ? (lookup as Record<string, string>)[field] : '';
  return html`<form method="get" action="/console/members" class="filter">
    <label>Programme <input name="programId" value="${given('programId')}" placeholder="prg_…" /></label>
    <label>Account <input name="accountRef" value="${given('accountRef')}" /></label>
    <span>or</span>
    <label>Member <input name="memberId" value="${given('memberId')}" placeholder="mbr_…" /></label>
    <button type="submit">Find</button>
  </form>`;
}

function memberBody(member: ConsoleMember): Html {
  const name = (programId: string) => member.programs.get(programId)?.name ?? programId;
  const unit = (programId: string) => member.programs.get(programId)?.unit_name ?? 'points';
  const links = member.links.map(
    (link) => html`<tr>
      <td>${name(link.program_id)}</td>
      <td><code>${link.account_ref}</code></td>
      <td>${link.tier ?? '—'}</td>
      <td>${when(link.linked_at)}</td>
      <td>${link.revoked_at ? html`revoked ${when(link.revoked_at)}${link.revoked_reason ? ` (${link.revoked_reason})` : ''}` : 'active'}</td>
    </tr>`,
  );
  const balances = member.balances.map((balance) =>
    balance.kept === 'hosted'
      ? html`<tr>
          <td>${name(balance.programId)}</td>
          <td class="figure">${points(balance.availablePoints)} ${unit(balance.programId)}</td>
          <td class="figure">${points(balance.pendingDebitPoints)}</td>
          <td>${
            balance.expiryProfile.length === 0
              ? '—'
              : balance.expiryProfile.map(
                  (portion) =>
                    html`${points(portion.points)} ${portion.expiresAt ? html`on ${when(portion.expiresAt)}` : 'never'}<br />`,
                )
          }</td>
        </tr>`
      : html`<tr>
          <td>${name(balance.programId)}</td>
          <td colspan="3"><em>Kept in the partner's own system; the gateway holds no copy of this balance.</em></td>
        </tr>`,
  );
  const history = member.history.map((event) => {
    const path = historyPaths[event.kind];
    return html`<tr>
      <td>${when(event.at)}</td>
      <td>${event.kind}</td>
      <td>${path ? html`<a href="${path}${event.id}"><code>${event.id}</code></a>` : html`<code>${event.id}</code>`}</td>
      <td>${event.programIds.map(name).join(' → ')}</td>
      <td class="figure">${points(event.points)}</td>
      <td class="status-${event.status}">${event.status}</td>
    </tr>`;
  });
  const none = (columns: number) => html`<tr><td colspan="${columns}">None.</td></tr>`;
  return html`<h2>Member <code>${member.memberId}</code></h2>
    <h3>Links</h3>
    <table>
      <thead><tr><th>Programme</th><th>Account</th><th>Tier</th><th>Linked</th><th>State</th></tr></thead>
      <tbody>${links}</tbody>
    </table>
    <h3>Balances</h3>
    <table>
      <thead><tr><th>Programme</th><th>Available</th><th>Held</th><th>Expires (UTC)</th></tr></thead>
      <tbody>${balances.length > 0 ? balances : none(4)}</tbody>
    </table>
    <h3>History</h3>
    <table>
      <thead><tr><th>When (UTC)</th><th>What</th><th>Id</th><th>Programmes</th><th>Points</th><th>State</th></tr></thead>
      <tbody>${history.length > 0 ? history : none(6)}</tbody>
    </table>`;
}

export function registerMembersPage(app: Hono<ConsoleEnv>, context: ServiceContext): void {
  app.get('/members', async (c) => {
    const lookup = lookupFrom(c);
    const member = lookup ? await findConsoleMember(context, c.var.viewer, lookup) : null;
    return c.html(
      page(
        { title: 'Members', viewer: c.var.viewer, csrfToken: c.var.csrfToken },
        html`${searchForm(lookup)} ${member ? memberBody(member) : ''}`,
      ),
    );
  });

  app.get('/members.json', async (c) => {
    const lookup = lookupFrom(c);
    if (!lookup) throw new ProblemError('validation_failed', 'Give memberId, or programId and accountRef.');
    const { programs: _labels, ...member } = await findConsoleMember(context, c.var.viewer, lookup);
    return consoleJson(c, member);
  });
}
