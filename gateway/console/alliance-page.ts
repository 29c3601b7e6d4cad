// The alliance: partners with their programmes and status, agreements with each version's terms
// and acceptances. The operator suspends or resumes a partner here, after a confirmation page.
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { may, requireAllowed } from '../../services/console-access.ts';
import { changePartnerStatus } from '../../services/console-actions.ts';
import { allianceOverview } from '../../services/console-views.ts';
import type { ServiceContext } from '../../services/context.ts';
import { readPartner } from '../../services/partners.ts';
import { type ConsoleEnv, clientAddress } from './console-env.ts';
import { csrfField, page, points, when } from './layout.ts';

type AllianceVersion = Awaited<ReturnType<typeof allianceOverview>>['agreements'][number]['versions'][number];

const actions = { suspend: 'suspended', resume: 'active' } as const;
type StatusAction = keyof typeof actions;

export function registerAlliancePage(
  app: Hono<ConsoleEnv>,
  context: ServiceContext,
  changed: (partnerId: string) => void,
): void {
  app.get('/alliance', async (c) => {
    const viewer = c.var.viewer;
    const alliance = await allianceOverview(context, viewer);
    const name = (programId: string) => alliance.programNames.get(programId) ?? programId;
    const partnerRows = alliance.partners.map((partner) => {
      const action: StatusAction = partner.status === 'active' ? 'suspend' : 'resume';
      const allowed = may(viewer, action === 'suspend' ? 'partner.suspend' : 'partner.resume');
      return html`<tr>
        <td>${partner.name}<br /><code>${partner.id}</code></td>
        <td class="status-${partner.status}">${partner.status}</td>
        <td>${partner.programs.map((program) => html`${program.name} <small>(${program.unit_name}, ${program.ledger === 'hosted' ? 'hosted ledger' : 'own system'})</small><br />`)}</td>
        <td>${allowed ? html`<a href="/console/partners/${partner.id}/${action}">${action}…</a>` : ''}</td>
      </tr>`;
    });
    // A partner's admin accepts for its own side: the versions still pending there get a link.
    const ownPrograms = new Set(
      viewer.partnerId
        ? alliance.partners.flatMap((partner) => partner.programs.map((program) => program.id))
        : [],
    );
    const canAccept = may(viewer, 'rate_version.accept');
    const acceptLink = (agreementId: string, version: AllianceVersion, sourceProgramId: string) => {
      const pendingAtOwnSide = ownPrograms.has(sourceProgramId)
        ? version.source_accepted_at === null
        : version.target_accepted_at === null;
      return canAccept && pendingAtOwnSide
        ? html` <a href="/console/agreements/${agreementId}/versions/${String(version.version)}/accept">accept…</a>`
        : '';
    };
    const agreementRows = alliance.agreements.flatMap((agreement) =>
      agreement.versions.map(
        (version) => html`<tr>
          <td>${name(agreement.source_program_id)} → ${name(agreement.target_program_id)}<br /><code>${agreement.id}</code></td>
          <td>v${version.version}</td>
          <td>${points(version.from_points)} : ${points(version.to_points)}, fee ${String(version.fee_basis_points)} bp (${version.fee_payer})</td>
          <td>${when(version.effective_from)} – ${when(version.effective_until)}</td>
          <td>source ${version.source_accepted_at ? 'accepted' : 'pending'}, target ${version.target_accepted_at ? 'accepted' : 'pending'}${acceptLink(agreement.id, version, agreement.source_program_id)}</td>
        </tr>`,
      ),
    );
    return c.html(
      page(
        { title: 'Alliance', viewer, csrfToken: c.var.csrfToken },
        html`<h2>Partners</h2>
          <table>
            <thead><tr><th>Partner</th><th>Status</th><th>Programmes</th><th></th></tr></thead>
            <tbody>${partnerRows}</tbody>
          </table>
          <h2>Rate agreements</h2>
          <table>
            <thead><tr><th>Between</th><th>Version</th><th>Rate</th><th>In force</th><th>Acceptance</th></tr></thead>
            <tbody>${agreementRows.length > 0 ? agreementRows : html`<tr><td colspan="5">None yet.</td></tr>`}</tbody>
          </table>`,
      ),
    );
  });

  for (const action of Object.keys(actions) as StatusAction[]) {
    const permission = action === 'suspend' ? 'partner.suspend' : 'partner.resume';
    // The confirmation: what will happen, and one button that does it.
    app.get(`/partners/:partnerId/${action}`, async (c) => {
      const viewer = c.var.viewer;
      requireAllowed(viewer, permission);
      const { partner } = await readPartner(context, c.req.param('partnerId'));
      const consequence =
        action === 'suspend'
          ? 'Its signed requests will be refused and its programmes take no new quotes or transfers from anyone. Transfers already running finish.'
          : 'Its signed requests are accepted again.';
      return c.html(
        page(
          {
            title: `${action === 'suspend' ? 'Suspend' : 'Resume'} ${partner.name}?`,
            viewer,
            csrfToken: c.var.csrfToken,
          },
          html`<p>${consequence}</p>
            <form method="post" action="/console/partners/${partner.id}/${action}">
              ${csrfField(c.var.csrfToken)}
              <button type="submit" class="danger">${action === 'suspend' ? 'Suspend' : 'Resume'} ${partner.name}</button>
              <a href="/console/alliance">Cancel</a>
            </form>`,
        ),
      );
    });

    app.post(`/partners/:partnerId/${action}`, async (c) => {
      const partnerId = c.req.param('partnerId');
      await changePartnerStatus(context, c.var.viewer, {
        partnerId,
        status: actions[action],
        address: clientAddress(c),
        now: new Date(),
      });
      changed(partnerId);
      return c.redirect('/console/alliance', 303);
    });
  }
}
