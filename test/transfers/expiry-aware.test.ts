// Points about to expire cannot be laundered into fresh points elsewhere: a transfer's credit carries
// the expiry of the lots its reservation held, as the source reported it, scaled to the points
// credited; the target applies it to the lots it makes. Both ways: a partner system to the hosted
// ledger, and the hosted ledger to a partner system.
import { describe, expect, it } from 'vitest';
import { createLedgerAccountIds } from '../../store/hosted-ledger/accounts.ts';
import { creditPoints } from '../../store/hosted-ledger/operations.ts';
import { checkLedger, readBalance } from '../../store/hosted-ledger/reports.ts';
import { createAlliance } from '../support/alliance.ts';

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
});
