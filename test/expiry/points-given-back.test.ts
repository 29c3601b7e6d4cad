// Points given back to the member at the programme they left come back no fresher than they left:
// a reversal's return at the source, a points payment's uncaptured rest and its refunds each carry
// the expiry of the hosted lots that paid. (A coupon refunded when it expired unused:
// test/catalog/coupon-expiry.test.ts.) Real partner server, hosted ledger, Temporal and PostgreSQL.
import { describe, expect, it } from 'vitest';
import { createLedgerAccountIds } from '../../store/hosted-ledger/accounts.ts';
import { creditPoints } from '../../store/hosted-ledger/operations.ts';
import { checkLedger, readBalance } from '../../store/hosted-ledger/reports.ts';
import { createAlliance, type Member } from '../support/alliance.ts';
import { reversalKit } from '../support/reversals.ts';

const alliance = await createAlliance();
const { gateway, coffee, bookstore } = alliance;
const accountIds = createLedgerAccountIds();
const { completedTransfer, reverse, reversed } = reversalKit(alliance);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// Whole seconds, as they come back from every system; the bookstore's own points never expire.
const soon = new Date(Math.floor(Date.now() / 1_000) * 1_000 + 10 * 86_400_000);

/** A member with bookstore points: `soonPoints` expiring in ten days, `laterPoints` never. */
async function memberWithSoonPoints(soonPoints: bigint, laterPoints: bigint): Promise<Member> {
  const member = await alliance.member({ bookstore: laterPoints }, { scopes: ['transfers', 'redemptions'] });
  const credited = await creditPoints(gateway.db, accountIds, {
    programId: bookstore.programId,
    key: `soon-${member.accounts.bookstore}`,
    accountRef: member.accounts.bookstore,
    points: soonPoints,
    reason: 'points about to expire',
    carriedExpiry: [{ points: soonPoints, expiresAt: soon }],
  });
  expect(credited.outcome).toBe('done');
  return member;
}

const expiryProfile = async (member: Member) =>
  (await readBalance(gateway.db, bookstore.programId, member.accounts.bookstore))?.expiryProfile;

describe('points given back at the programme they left', () => {
  it('keep their expiry when a reversal returns them to the source', async () => {
    const member = await memberWithSoonPoints(1_000n, 500n);
    const transferId = await completedTransfer(bookstore, coffee, member, 1_000n);
    expect(await expiryProfile(member)).toEqual([{ points: 500n, expiresAt: null }]);

    const reversal = await reversed(await reverse(bookstore, transferId));
    expect(reversal).toMatchObject({ status: 'completed', returnedSourcePoints: '1000' });
    expect(await expiryProfile(member)).toEqual([
      { points: 1_000n, expiresAt: soon },
      { points: 500n, expiresAt: null },
    ]);
    expect(await checkLedger(gateway.db)).toEqual({ entriesSum: 0n, accountsOutOfBalance: [] });
  });

  it('keep their expiry when a payment captured in part gives back its rest, and when it is refunded', async () => {
    const offered = await gateway.call(bookstore.signer, 'POST', '/v1/cash-agreements', {
      body: {
        programId: bookstore.programId,
        merchantId: coffee.partner.id,
        amountMinor: '1',
        perPoints: '1',
        currency: 'USD',
      },
    });
    expect(offered.status).toBe(201);
    const agreement = (await offered.json()) as { id: string };
    const accepted = await gateway.call(coffee.signer, 'POST', `/v1/cash-agreements/${agreement.id}/accept`);
    expect(accepted.status).toBe(200);

    const member = await memberWithSoonPoints(500n, 500n);
    const call = async (path: string, body: object) => {
      const response = await gateway.call(coffee.signer, 'POST', path, { body });
      expect(response.status, path).toBeLessThan(300);
      return (await response.json()) as { id: string };
    };
    // 300 points held, all of them from the lot expiring soon (burnt first).
    const payment = await call('/v1/points-payments', {
      memberId: member.memberId,
      programId: bookstore.programId,
      orderReference: `order-${member.memberId}`,
      points: '300',
    });
    const path = `/v1/points-payments/${payment.id}`;
    const settled = async () => {
      for (let attempt = 0; attempt < 300; attempt += 1) {
        const read = (await (await gateway.call(coffee.signer, 'GET', path)).json()) as {
          operations: { status: string }[];
        };
        if (read.operations.every((operation) => operation.status !== 'pending')) return;
        await sleep(100);
      }
      throw new Error(`payment ${payment.id} did not settle in 30 s`);
    };
    await settled();
    await call(`${path}/captures`, { points: '100' });
    await settled();
    // The 100 captured paid with the soonest points; the 200 given back are as soon as they were.
    expect(await expiryProfile(member)).toEqual([
      { points: 400n, expiresAt: soon },
      { points: 500n, expiresAt: null },
    ]);
    await call(`${path}/refunds`, { points: '50' });
    await settled();
    expect(await expiryProfile(member)).toEqual([
      { points: 450n, expiresAt: soon },
      { points: 500n, expiresAt: null },
    ]);
    expect(await checkLedger(gateway.db)).toEqual({ entriesSum: 0n, accountsOutOfBalance: [] });
  });
});
