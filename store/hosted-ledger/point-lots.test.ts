// Lots on the real database: debits burn the soonest-expiring lots first, a void gives them back, a
// reversal takes back its credit's own lots, and points expire at their instant (a driven clock),
// through a movement of their own, with the ledger zero-sum throughout.
import { describe, expect, it } from 'vitest';
import { createServiceContext } from '../../services/context.ts';
import { expireDuePoints } from '../../services/points-expiry.ts';
import { useTestDatabase } from '../../test/support/database.ts';
import { useHostedProgram } from '../../test/support/hosted-ledger.ts';
import { createLedgerAccountIds } from './accounts.ts';
import { reverseCredit } from './credit-reversals.ts';
import { creditPoints, postReservation, reservePoints, voidReservation } from './operations.ts';
import { checkLedger, readBalance } from './reports.ts';

const accountIds = createLedgerAccountIds();
const db = useTestDatabase(5);
const context = createServiceContext(db);
const { programId, partnerId, memberWithLots } = useHostedProgram(db, accountIds, 'Lots', {
  webhookUrl: 'http://127.0.0.1:9/webhooks',
});

const at = (iso: string) => new Date(iso);
const january = at('2030-01-01T00:00:00Z');
const march = at('2030-03-01T00:00:00Z');
const june = at('2030-06-01T00:00:00Z');

const reserve = (accountRef: string, key: string, points: bigint, now?: Date) =>
  reservePoints(db, accountIds, {
    programId,
    key,
    accountRef,
    points,
    reason: 'transfer out',
    expiresAt: new Date((now ?? new Date()).getTime() + 60_000),
    ...(now ? { now } : {}),
  });

async function expectBalanced(): Promise<void> {
  expect(await checkLedger(db)).toEqual({ entriesSum: 0n, accountsOutOfBalance: [] });
}

describe('lots', () => {
  it('burns the soonest-expiring lots first, across lots, whatever order they came in', async () => {
    const account = await memberWithLots([
      [100n, null],
      [100n, june],
      [100n, january],
      [100n, march],
    ]);
    const held = await reserve(account, `${account}:r1`, 250n, at('2029-06-01T00:00:00Z'));
    expect(held).toMatchObject({
      outcome: 'done',
      expiryProfile: [
        { points: 100n, expiresAt: january },
        { points: 100n, expiresAt: march },
        { points: 50n, expiresAt: june },
      ],
    });
    expect((await readBalance(db, programId, account))?.expiryProfile).toEqual([
      { points: 50n, expiresAt: june },
      { points: 100n, expiresAt: null },
    ]);
    // A repeat of the key answers with the same profile.
    expect(await reserve(account, `${account}:r1`, 250n)).toMatchObject({
      replayed: true,
      expiryProfile: [
        { points: 100n, expiresAt: january },
        { points: 100n, expiresAt: march },
        { points: 50n, expiresAt: june },
      ],
    });
    expect(
      await postReservation(db, {
        programId,
        key: `${account}:p1`,
        reservationKey: `${account}:r1`,
        reason: 'post',
      }),
    ).toMatchObject({ outcome: 'done' });
    const next = await reserve(account, `${account}:r2`, 100n, at('2029-06-01T00:00:00Z'));
    expect(next).toMatchObject({
      expiryProfile: [
        { points: 50n, expiresAt: june },
        { points: 50n, expiresAt: null },
      ],
    });
    await expectBalanced();
  });

  it('gives held lots back on a void, so the next debit takes them again', async () => {
    const account = await memberWithLots([
      [100n, march],
      [100n, january],
    ]);
    await reserve(account, `${account}:r`, 120n, at('2029-06-01T00:00:00Z'));
    expect(
      await voidReservation(db, {
        programId,
        key: `${account}:v`,
        reservationKey: `${account}:r`,
        reason: 'void',
      }),
    ).toMatchObject({ outcome: 'done' });
    expect((await readBalance(db, programId, account))?.expiryProfile).toEqual([
      { points: 100n, expiresAt: january },
      { points: 100n, expiresAt: march },
    ]);
    expect(await reserve(account, `${account}:r2`, 150n, at('2029-06-01T00:00:00Z'))).toMatchObject({
      expiryProfile: [
        { points: 100n, expiresAt: january },
        { points: 50n, expiresAt: march },
      ],
    });
    await expectBalanced();
  });

  it("takes back a reversed credit's own lots before older ones", async () => {
    const account = await memberWithLots([[100n, january]]);
    await creditPoints(db, accountIds, {
      programId,
      key: `${account}:fresh`,
      accountRef: account,
      points: 80n,
      reason: 'transfer in',
    });
    expect(
      await reverseCredit(db, {
        programId,
        key: `${account}:rev`,
        creditKey: `${account}:fresh`,
        points: 50n,
        reason: 'r',
      }),
    ).toMatchObject({ outcome: 'done', points: 50n });
    expect((await readBalance(db, programId, account))?.expiryProfile).toEqual([
      { points: 100n, expiresAt: january },
      { points: 30n, expiresAt: null },
    ]);
    await expectBalanced();
  });
});

describe('expiry', () => {
  it('expires a lot at its instant, not a millisecond before, once, and keeps the ledger zero-sum', async () => {
    const instant = at('2031-04-01T00:00:00Z');
    const account = await memberWithLots([
      [300n, instant],
      [200n, null],
    ]);
    await expireDuePoints(context, { now: new Date(instant.getTime() - 1), pageSize: 100 });
    expect((await readBalance(db, programId, account))?.availablePoints).toBe(500n);
    const run = await expireDuePoints(context, { now: instant, pageSize: 100 });
    expect(run.points).toBeGreaterThanOrEqual(300n);
    expect(await readBalance(db, programId, account)).toMatchObject({
      availablePoints: 200n,
      postedPoints: 200n,
      expiryProfile: [{ points: 200n, expiresAt: null }],
    });
    const movement = await db
      .selectFrom('ledger_transfers')
      .innerJoin('ledger_accounts', 'ledger_accounts.id', 'ledger_transfers.debit_account_id')
      .select(['ledger_transfers.operation', 'ledger_transfers.amount_points', 'ledger_transfers.reason'])
      .where('ledger_accounts.account_ref', '=', account)
      .where('ledger_transfers.operation', '=', 'expire')
      .execute();
    expect(movement).toEqual([
      {
        operation: 'expire',
        amount_points: 300n,
        reason: expect.stringContaining(`points expired at ${instant.toISOString()}`),
      },
    ]);
    await expireDuePoints(context, { now: new Date(instant.getTime() + 1_000), pageSize: 100 });
    expect((await readBalance(db, programId, account))?.availablePoints).toBe(200n);
    const notices = await db
      .selectFrom('webhook_deliveries')
      .select(['event_type', 'payload'])
      .where('partner_id', '=', partnerId)
      .where('event_type', '=', 'points.expired')
      .execute();
    expect(notices.filter((notice) => JSON.stringify(notice.payload).includes(account))).toHaveLength(1);
    await expectBalanced();
  });

  it('expires due points on the next debit, before any run, and spends none of them', async () => {
    const instant = at('2031-05-01T00:00:00Z');
    const account = await memberWithLots([
      [300n, instant],
      [100n, null],
    ]);
    expect(await reserve(account, `${account}:late`, 200n, instant)).toMatchObject({
      outcome: 'refused',
      code: 'insufficient_points',
    });
    expect((await readBalance(db, programId, account))?.availablePoints).toBe(100n);
    await expectBalanced();
  });

  it('expires what an overdue reservation gives back before the debit that found it overdue spends any', async () => {
    const instant = at('2031-07-01T00:00:00Z');
    const account = await memberWithLots([
      [100n, instant],
      [100n, null],
    ]);
    // Holds the lot that ends at the instant, until that instant.
    await reserve(account, `${account}:held`, 100n, new Date(instant.getTime() - 60_000));
    // After it, the debit finds the reservation overdue: its points go back to a lot that has ended,
    // and expire there; the debit is paid from the lot that never ends.
    expect(
      await reserve(account, `${account}:after`, 50n, new Date(instant.getTime() + 1_000)),
    ).toMatchObject({
      outcome: 'done',
      expiryProfile: [{ points: 50n, expiresAt: null }],
    });
    expect(await readBalance(db, programId, account)).toMatchObject({
      availablePoints: 50n,
      expiryProfile: [{ points: 50n, expiresAt: null }],
    });
    await expectBalanced();
  });

  it('takes back a credit whose lot has ended only after expiring that lot, as if the run came first', async () => {
    const instant = at('2031-08-01T00:00:00Z');
    const account = await memberWithLots([[100n, null]]);
    await creditPoints(db, accountIds, {
      programId,
      key: `${account}:earned`,
      accountRef: account,
      points: 80n,
      reason: 'accrual',
      carriedExpiry: [{ points: 80n, expiresAt: instant }],
    });
    // The refund comes after the lot's end and before any expiry run: the 80 points have expired, so
    // the reversal takes the member's other points, as it would had the run come first.
    expect(
      await reverseCredit(db, {
        programId,
        key: `${account}:refund`,
        creditKey: `${account}:earned`,
        points: 80n,
        reason: 'purchase refunded',
        now: new Date(instant.getTime() + 1_000),
      }),
    ).toMatchObject({ outcome: 'done', points: 80n });
    expect(await readBalance(db, programId, account)).toMatchObject({
      availablePoints: 20n,
      expiryProfile: [{ points: 20n, expiresAt: null }],
    });
    const expired = await db
      .selectFrom('ledger_transfers')
      .innerJoin('ledger_accounts', 'ledger_accounts.id', 'ledger_transfers.debit_account_id')
      .select('ledger_transfers.amount_points')
      .where('ledger_accounts.account_ref', '=', account)
      .where('ledger_transfers.operation', '=', 'expire')
      .execute();
    expect(expired).toEqual([{ amount_points: 80n }]);
    await expectBalanced();
  });

  it('expires points a void gives back to a lot that ended while they were held', async () => {
    const instant = at('2031-06-01T00:00:00Z');
    const account = await memberWithLots([[100n, instant]]);
    await reserve(account, `${account}:r`, 60n, new Date(instant.getTime() - 60_000));
    await expireDuePoints(context, { now: instant, pageSize: 100 });
    expect((await readBalance(db, programId, account))?.availablePoints).toBe(0n);
    await voidReservation(db, {
      programId,
      key: `${account}:v`,
      reservationKey: `${account}:r`,
      reason: 'void',
    });
    expect((await readBalance(db, programId, account))?.availablePoints).toBe(60n);
    await expireDuePoints(context, { now: new Date(instant.getTime() + 1), pageSize: 100 });
    expect((await readBalance(db, programId, account))?.availablePoints).toBe(0n);
    await expectBalanced();
  });
});
