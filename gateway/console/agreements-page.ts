// Accepting a rate version for one's own side of an agreement (a partner's admin), behind a
// confirmation that states the terms being accepted. The alliance page links here.
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { ProblemError } from '../../domain/errors.ts';
import { requireAllowed } from '../../services/console-access.ts';
import { acceptRateVersionFromConsole } from '../../services/console-actions.ts';
import { allianceOverview } from '../../services/console-views.ts';
import type { ServiceContext } from '../../services/context.ts';
import { type ConsoleEnv, clientAddress } from './console-env.ts';
import { csrfField, page, points, when } from './layout.ts';

const versionPattern = /^[1-9][0-9]{0,8}$/;

function versionFrom(given: string): number {
  if (!versionPattern.test(given)) throw new ProblemError('not_found', `No version ${given}.`);
  return Number(given);
}

export function registerAgreementPages(app: Hono<ConsoleEnv>, context: ServiceContext): void {
  app.get('/agreements/:agreementId/versions/:version/accept', async (c) => {
    const viewer = c.var.viewer;
    requireAllowed(viewer, 'rate_version.accept');
    const agreementId = c.req.param('agreementId');
    const versionNumber = versionFrom(c.req.param('version'));
    // The viewer's own share of the alliance: another partner's agreement is not found.
    const alliance = await allianceOverview(context, viewer);
    const agreement = alliance.agreements.find((candidate) => candidate.id === agreementId);
    const version = agreement?.versions.find((candidate) => candidate.version === versionNumber);
    if (!agreement || !version) {
      throw new ProblemError('not_found', `Agreement ${agreementId} has no version ${versionNumber}.`);
    }
    const name = (programId: string) => alliance.programNames.get(programId) ?? programId;
    return c.html(
      page(
        {
          title: `Accept ${name(agreement.source_program_id)} → ${name(agreement.target_program_id)} v${versionNumber}?`,
          viewer,
          csrfToken: c.var.csrfToken,
        },
        html`<p>
            ${points(version.from_points)} : ${points(version.to_points)}, fee ${String(version.fee_basis_points)} bp
            (${version.fee_payer}), in force ${when(version.effective_from)} – ${when(version.effective_until)}.
            Once both sides have accepted, quotes use it from its start.
          </p>
          <form method="post" action="/console/agreements/${agreement.id}/versions/${String(versionNumber)}/accept">
            ${csrfField(c.var.csrfToken)}
            <button type="submit" class="danger">Accept version ${String(versionNumber)}</button>
            <a href="/console/alliance">Cancel</a>
          </form>`,
      ),
    );
  });

  app.post('/agreements/:agreementId/versions/:version/accept', async (c) => {
    await acceptRateVersionFromConsole(context, c.var.viewer, {
      agreementId: c.req.param('agreementId'),
      version: versionFrom(c.req.param('version')),
      address: clientAddress(c),
      now: new Date(),
    });
    return c.redirect('/console/alliance', 303);
  });
}
