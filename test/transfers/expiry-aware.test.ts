// Points about to expire cannot be laundered into fresh points elsewhere: a transfer's credit carries
// the expiry of the lots its reservation held, as the source reported it, scaled to the points
// credited; the target applies it to the lots it makes. Both ways: a partner system to the hosted
// ledger, and the hosted ledger to a partner system. An agreement may grant a minimum remaining
// life instead: the points that would expire sooner arrive with that much life, and no more.
import { describe, expect, it } from 'vitest';
import { createLedgerAccountIds } from '../../store/hosted-ledger/accounts.ts';
import { creditPoints } from '../../store/hosted-ledger/operations.ts';
import { checkLedger, readBalance } from '../../store/hosted-ledger/reports.ts';
import { createAlliance } from '../support/alliance.ts';
import { agreeRate } from '../support/exchange.ts';

const alliance = await createAlliance();
const { gateway, coffee, bookstore } = alliance;
const accountIds = createLedgerAccountIds();
const day = 86_400_000;
// Whole seconds, as they come back from every system.
const inDays = (days: number) => new Date(Math.floor(Date.now() / 1_000) * 1_000 + days * day);

async function transferred(response: Response): Promise<void> {
  expect(response.status).toBe(201);
  expect(((await response.json()) as { status: string }).status).toBe('completed');
}

describe('a transfer from soon-expiring points', () => {
  it('credits hosted points that expire when the partner-system points they came from would have', async () => {
    const soon = inDays(10);
    const member = await alliance.member({});
    await coffee.server?.books.openAccount(member.accounts.coffee, 1_000n, soon);
    await transferred(await alliance.transfer(coffee, bookstore, member, 1_000n));
    // 10 coffee → 8 books: all 800 expire in 10 days, as the coffee points would have.
    expect(
      (await readBalance(gateway.db, bookstore.programId, member.accounts.bookstore))?.expiryProfile,
    ).toEqual([{ points: 800n, expiresAt: soon }]);
    expect(await checkLedger(gateway.db)).toEqual({ entriesSum: 0n, accountsOutOfBalance: [] });
  });

  it('credits partner-system points with the expiry of the hosted lots burnt first', async () => {
    const soon = inDays(5);
    const member = await alliance.member({ bookstore: 900n });
    await creditPoints(gateway.db, accountIds, {
      programId: bookstore.programId,
      key: `soon-${member.accounts.bookstore}`,
      accountRef: member.accounts.bookstore,
      points: 100n,
      reason: 'points about to expire',
      carriedExpiry: [{ points: 100n, expiresAt: soon }],
    });
    await transferred(await alliance.transfer(bookstore, coffee, member, 500n));
    // The 100 soon-expiring books go first; 10 books → 10 coffee.
    expect(await coffee.server?.books.expiryProfile(member.accounts.coffee)).toEqual([
      { points: 100n, expiresAt: soon },
      { points: 400n, expiresAt: null },
    ]);
    expect(
      (await readBalance(gateway.db, bookstore.programId, member.accounts.bookstore))?.expiryProfile,
    ).toEqual([{ points: 500n, expiresAt: null }]);
    expect(await checkLedger(gateway.db)).toEqual({ entriesSum: 0n, accountsOutOfBalance: [] });
  });

  it('lifts the credit to the minimum remaining life the agreement grants, between two partner systems', async () => {
    // 10 miles → 10 coffee, the coffee points living at least 90 days after the transfer.
    const { agreementId } = await agreeRate(gateway, alliance.airline, coffee, {
      fromPoints: '10',
      toPoints: '10',
      sourcePointsMin: '1',
      sourcePointsMax: '1000000',
      memberDailyCapSourcePoints: '10000000',
      minRemainingLifeDays: 90,
    });
    const version = await gateway.call(alliance.airline.signer, 'GET', `/v1/rate-agreements/${agreementId}`);
    expect(JSON.stringify(await version.json())).toContain('"minRemainingLifeDays":90');
    const soon = inDays(3);
    const later = inDays(400);
    const member = await alliance.member({});
    await alliance.airline.server?.books.openAccount(member.accounts.airline, 200n, soon);
    await alliance.airline.server?.books.openAccount(member.accounts.airline, 300n, later);
    const before = Date.now();
    await transferred(await alliance.transfer(alliance.airline, coffee, member, 400n));
    const profile = (await coffee.server?.books.expiryProfile(member.accounts.coffee)) ?? [];
    // The 200 miles about to expire arrive with 90 days of life (from the transfer's creation), the
    // 200 that paid from the later lot keep their own, later, expiry.
    expect(profile.map((portion) => portion.points)).toEqual([200n, 200n]);
    const floor = profile[0]?.expiresAt?.getTime() ?? 0;
    expect(floor).toBeGreaterThanOrEqual(Math.floor(before / 1_000) * 1_000 + 90 * day - 60_000);
    expect(floor).toBeLessThanOrEqual(Date.now() + 90 * day);
    expect(profile[1]?.expiresAt).toEqual(later);
  });
});
