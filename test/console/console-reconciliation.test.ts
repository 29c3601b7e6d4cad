// The console's open reconciliation breaks, in age bands: each band's count is whole and its list the
// oldest first up to a page, however many breaks a busy programme has; a partner sees its own only.
// A database of its own: the bands count every open break in it.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newId } from '../../store/ids.ts';
import { insertRunWithId } from '../../store/reconciliation-runs.ts';
import { type AlliancePartner, createAlliance } from '../support/alliance.ts';
import { signedInAs } from './console-client.ts';

const alliance = await createAlliance({ ownDatabase: 'console_reconciliation' });
const { gateway, coffee, airline } = alliance;
const hour = 3_600_000;

const signedIn = async (role: string, partner: AlliancePartner | null = null) =>
  (await signedInAs(gateway, role, partner)).browser;

/** Open breaks of the partner's programme, `count` of them, each `hoursAgo` old. */
async function openBreaks(partner: AlliancePartner, count: number, hoursAgo: number): Promise<string[]> {
  const run = await insertRunWithId(gateway.db, {
    id: newId('rec'),
    partnerId: partner.partner.id,
    programId: partner.programId,
    period: { from: new Date(Date.now() - 30 * 24 * hour), to: new Date() },
    source: 'partner_api',
    requestedBy: 'finance',
  });
  const rows = Array.from({ length: count }, (_, index) => ({
    id: newId('brk'),
    partner_id: partner.partner.id,
    program_id: partner.programId,
    run_id: run.id,
    kind: 'missing_at_partner',
    item_key: `console-band-${hoursAgo}-${index}-${randomUUID()}`,
    occurred_at: new Date(Date.now() - hoursAgo * hour - index * 1_000),
  }));
  await gateway.db.insertInto('reconciliation_breaks').values(rows).execute();
  return rows.map((row) => row.id);
}

describe('the reconciliation page', () => {
  it('counts each age band whole and lists its oldest breaks, past a page', async () => {
    const recent = await openBreaks(coffee, 105, 1);
    const week = await openBreaks(coffee, 2, 48);
    const old = await openBreaks(airline, 3, 24 * 10);

    const finance = await signedIn('finance');
    const page = await (await finance.get('/console/reconciliation')).text();
    expect(page).toContain('under a day <small>(105)</small>');
    expect(page).toContain('The oldest 100 of 105');
    expect(page).toContain('1–7 days <small>(2)</small>');
    expect(page).toContain('over 7 days <small>(3)</small>');
    // The oldest of the recent ones are listed, the five newest are not.
    expect(page).toContain(recent[104] ?? 'missing');
    expect(page).not.toContain(recent[0] ?? 'missing');
    for (const id of [...week, ...old]) expect(page).toContain(id);

    const coffeeViewer = await signedIn('partner_viewer', coffee);
    const own = await (await coffeeViewer.get('/console/reconciliation')).text();
    expect(own).toContain('over 7 days <small>(0)</small>');
    for (const id of old) expect(own).not.toContain(id);
  });
});
