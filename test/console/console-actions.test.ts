import { describe, expect, it } from 'vitest';
import { type AlliancePartner, createAlliance } from '../support/alliance.ts';
import { signedInAs } from './console-client.ts';

const alliance = await createAlliance();
const { gateway, coffee, airline, bookstore } = alliance;

const signedIn = (role: string, partner: AlliancePartner | null = null) => signedInAs(gateway, role, partner);

async function auditOf(actor: string) {
  return gateway.db
    .selectFrom('console_audit_log')
    .select(['action', 'target'])
    .where('actor', '=', actor)
    .where('action', '!=', 'console.sign_in')
    .orderBy('id')
    .execute();
}

describe('accepting a rate version', () => {
  it("is done by the other side's admin after a confirmation, and refused to everyone else", async () => {
    // Coffee proposes a less generous version (its own acceptance); the airline's side is pending.
    const proposed = await gateway.call(coffee.signer, 'POST', '/v1/rate-agreements', {
      body: {
        sourceProgramId: coffee.programId,
        targetProgramId: airline.programId,
        fromPoints: '10',
        toPoints: '6',
        sourcePointsMin: '1',
        sourcePointsMax: '1000000',
        memberDailyCapSourcePoints: '10000000',
        feeBasisPoints: 0,
        feePayer: 'source_partner',
        settlement: { amountMinor: '1', perTargetPoints: '1', currency: 'CNY' },
        effectiveFrom: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    expect(proposed.status).toBe(201);
    const { agreementId, version } = (await proposed.json()) as { agreementId: string; version: number };
    const path = `/console/agreements/${agreementId}/versions/${version}/accept`;
    const targetAccepted = async () => {
      const row = await gateway.db
        .selectFrom('rate_agreement_versions')
        .select('target_accepted_at')
        .where('agreement_id', '=', agreementId)
        .where('version', '=', version)
        .executeTakeFirstOrThrow();
      return row.target_accepted_at !== null;
    };

    const viewer = await signedIn('partner_viewer', airline);
    expect((await viewer.browser.get(path)).status).toBe(403);
    await viewer.browser.get('/console/alliance');
    expect((await viewer.browser.post(path, {})).status).toBe(403);
    const stranger = await signedIn('partner_admin', bookstore);
    expect((await stranger.browser.get(path)).status).toBe(404);
    await stranger.browser.get('/console/alliance');
    // Another pair's agreement is not found, posted to as on its confirmation page: nothing says it exists.
    expect((await stranger.browser.post(path, {})).status).toBe(404);
    const operator = await signedIn('operator');
    expect((await operator.browser.get(path)).status).toBe(403);
    expect(await targetAccepted()).toBe(false);

    const admin = await signedIn('partner_admin', airline);
    const alliancePage = await (await admin.browser.get('/console/alliance')).text();
    expect(alliancePage).toContain(path);
    expect((await admin.browser.post(path, {}, { csrf: null })).status).toBe(403);
    expect(await targetAccepted()).toBe(false);
    const confirmation = await admin.browser.get(path);
    expect(confirmation.status).toBe(200);
    expect(await confirmation.text()).toContain('10 : 6');
    const accepted = await admin.browser.post(path, {});
    expect(accepted.status).toBe(303);
    expect(await targetAccepted()).toBe(true);
    expect(await auditOf(admin.username)).toEqual([
      { action: 'rate_version.accept', target: `${agreementId}/v${version}` },
    ]);
    expect(await auditOf(viewer.username)).toEqual([]);
    // The form sent again (a double click, or a resubmission after a lost answer): the acceptance
    // stands as first made, nothing is accepted twice.
    const firstAcceptedAt = (
      await gateway.db
        .selectFrom('rate_agreement_versions')
        .select('target_accepted_at')
        .where('agreement_id', '=', agreementId)
        .where('version', '=', version)
        .executeTakeFirstOrThrow()
    ).target_accepted_at;
    await admin.browser.get(path);
    expect((await admin.browser.post(path, {})).status).toBe(303);
    const again = await gateway.db
      .selectFrom('rate_agreement_versions')
      .select('target_accepted_at')
      .where('agreement_id', '=', agreementId)
      .where('version', '=', version)
      .executeTakeFirstOrThrow();
    expect(again.target_accepted_at).toEqual(firstAcceptedAt);
    // Accepted: the alliance page offers it no more.
    expect(await (await admin.browser.get('/console/alliance')).text()).not.toContain(path);
  });
});

describe('resolving a finance flag', () => {
  it('is done by finance with a reason after a confirmation, and refused to other roles', async () => {
    const member = await alliance.member({ coffee: 5_000n });
    const transfer = (await (await alliance.transfer(coffee, airline, member, 500n)).json()) as {
      id: string;
    };
    // A flag as the transfer workflow raises one when a source cannot honour its post (making a
    // partner fail at exactly that point is the transfer tests' business, not the console's).
    const flag = await gateway.db
      .insertInto('finance_flags')
      .values({ transfer_id: transfer.id, reason: 'console test: post could not be honoured' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const path = `/console/finance-flags/${flag.id}/resolve`;
    const resolved = async () =>
      (
        await gateway.db
          .selectFrom('finance_flags')
          .select(['resolved_by', 'resolution_reason'])
          .where('id', '=', flag.id)
          .executeTakeFirstOrThrow()
      ).resolution_reason;

    const partner = await signedIn('partner_admin', coffee);
    expect((await partner.browser.get('/console/finance-flags')).status).toBe(403);
    expect((await partner.browser.get('/console/finance-flags.json')).status).toBe(403);
    const operator = await signedIn('operator');
    const list = await (await operator.browser.get('/console/finance-flags')).text();
    expect(list).toContain('post could not be honoured');
    expect(list).not.toContain(path);
    expect((await operator.browser.get(path)).status).toBe(403);
    expect((await operator.browser.post(path, { reason: 'not mine to say' })).status).toBe(403);
    expect(await resolved()).toBeNull();

    const finance = await signedIn('finance');
    expect(await (await finance.browser.get('/console/finance-flags')).text()).toContain(path);
    expect((await finance.browser.get(path)).status).toBe(200);
    expect((await finance.browser.post(path, { reason: '' })).status).toBe(400);
    const done = await finance.browser.post(path, { reason: 'paid by hand, ref 42' });
    expect(done.status).toBe(303);
    expect(await resolved()).toBe('paid by hand, ref 42');
    // A double submit answers as the first did, and is not audited as a second resolution.
    expect((await finance.browser.post(path, { reason: 'paid by hand, ref 42' })).status).toBe(303);
    expect(await auditOf(finance.username)).toEqual([
      { action: 'finance_flag.resolve', target: String(flag.id) },
    ]);
    const json = (await (await finance.browser.get('/console/finance-flags.json?state=resolved')).json()) as {
      flags: { id: string; resolved_by: string }[];
    };
    expect(json.flags).toContainEqual(
      expect.objectContaining({ id: String(flag.id), resolved_by: `console:${finance.username}` }),
    );
    // The newest first, so that past a page of flags the ones just raised are the ones shown.
    const raised = await gateway.db
      .insertInto('finance_flags')
      .values(
        ['older', 'newer'].map((which) => ({ transfer_id: transfer.id, reason: `console test: ${which}` })),
      )
      .returning('id')
      .execute();
    const open = (await (await finance.browser.get('/console/finance-flags.json')).json()) as {
      flags: { id: string }[];
    };
    const shown = open.flags.map((listed) => listed.id);
    expect(shown.indexOf(String(raised[1]?.id))).toBeLessThan(shown.indexOf(String(raised[0]?.id)));
    expect(shown.indexOf(String(raised[1]?.id))).toBeGreaterThanOrEqual(0);
  });
});
