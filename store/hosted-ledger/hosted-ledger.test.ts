// The hosted ledger on the real database: balanced entries, no negative member balance even under
// concurrency, one effect per key, expiry, and fencing of keys asked about before they arrive.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test/support/database.ts';
import { newId } from '../ids.ts';
import { createLedgerAccountIds, ensureAccount } from './accounts.ts';
import { reverseCredit } from './credit-reversals.ts';
import {
  askOutcome,
  creditPoints,
  expireOverdueReservations,
  postReservation,
  reservePoints,
  voidReservation,
} from './operations.ts';
import { checkLedger, readBalance } from './reports.ts';

const accountIds = createLedgerAccountIds();

const db = useTestDatabase(10);
const programId = newId('prg');

beforeAll(async () => {
  const partnerId = newId('ptn');
  await db
    .insertInto('partners')
    .values({
      id: partnerId,
      name: 'Ledger Test',
      status: 'active',
      webhook_url: null,
      loyalty_api_url: null,
    })
    .execute();
  await db
    .insertInto('programs')
    .values({ id: programId, partner_id: partnerId, name: 'Beans', unit_name: 'beans', ledger: 'hosted' })
    .execute();
});

async function memberWith(points: bigint): Promise<string> {
  const accountRef = `member-${randomUUID()}`;
  expect(
    await creditPoints(db, accountIds, {
      programId,
      key: `seed-${accountRef}`,
      accountRef,
      points,
      reason: 'seed',
    }),
  ).toEqual({
    outcome: 'done',
    replayed: false,
  });
  return accountRef;
}

const reserve = (
  accountRef: string,
  key: string,
  points: bigint,
  expiresAt = new Date(Date.now() + 60_000),
) => reservePoints(db, accountIds, { programId, key, accountRef, points, expiresAt, reason: 'transfer out' });

describe('hosted ledger', () => {
  it('reserves and posts, leaving balanced entries', async () => {
    const account = await memberWith(1_000n);
    expect((await reserve(account, `${account}:r`, 600n)).outcome).toBe('done');
    expect(await readBalance(db, programId, account)).toMatchObject({
      availablePoints: 400n,
      postedPoints: 1_000n,
    });
    expect(
      (
        await postReservation(db, {
          programId,
          key: `${account}:p`,
          reservationKey: `${account}:r`,
          reason: 'post',
        })
      ).outcome,
    ).toBe('done');
    expect(await readBalance(db, programId, account)).toMatchObject({
      availablePoints: 400n,
      postedPoints: 400n,
      pendingDebitPoints: 0n,
    });
    expect(await checkLedger(db)).toEqual({ entriesSum: 0n, accountsOutOfBalance: [] });
  });

  it('applies a repeated key once', async () => {
    const account = await memberWith(1_000n);
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () => reserve(account, `${account}:same`, 300n)),
    );
    expect(outcomes.filter((outcome) => outcome.outcome === 'done' && !outcome.replayed)).toHaveLength(1);
    expect((await readBalance(db, programId, account))?.availablePoints).toBe(700n);
  });

  it('keeps a refusal under its key: a repeat after the member earned is refused the same', async () => {
    const account = await memberWith(100n);
    const refused = await reserve(account, `${account}:big`, 500n);
    expect(refused).toMatchObject({ outcome: 'refused', code: 'insufficient_points' });
    await creditPoints(db, accountIds, {
      programId,
      key: `${account}:more`,
      accountRef: account,
      points: 1_000n,
      reason: 'earned',
    });
    expect(await reserve(account, `${account}:big`, 500n)).toEqual(refused);
    expect((await readBalance(db, programId, account))?.availablePoints).toBe(1_100n);
    // Asked about, a refused key is one that never took effect, and never will.
    expect(await askOutcome(db, programId, `${account}:big`)).toBe('abandoned');
    expect(await checkLedger(db)).toEqual({ entriesSum: 0n, accountsOutOfBalance: [] });
  });

  it('answers a repeated take-back of a credit with its first refusal, not with points earned since', async () => {
    const account = await memberWith(300n);
    const reserved = await reserve(account, `${account}:spend`, 300n);
    expect(reserved.outcome).toBe('done');
    await postReservation(db, {
      programId,
      key: `${account}:spent`,
      reservationKey: `${account}:spend`,
      reason: 'spent',
    });
    const takeBack = () =>
      reverseCredit(db, {
        programId,
        key: `${account}:take-back`,
        creditKey: `seed-${account}`,
        points: 300n,
        reason: 'reversal',
      });
    const refused = await takeBack();
    expect(refused).toMatchObject({ outcome: 'refused', code: 'insufficient_points' });
    await creditPoints(db, accountIds, {
      programId,
      key: `${account}:earned`,
      accountRef: account,
      points: 500n,
      reason: 'earned',
    });
    expect(await takeBack()).toEqual(refused);
    expect((await readBalance(db, programId, account))?.availablePoints).toBe(500n);
  });

  it('lets exactly one of two concurrent reservations of the same points through', async () => {
    const account = await memberWith(500n);
    const [first, second] = await Promise.all([
      reserve(account, `${account}:a`, 400n),
      reserve(account, `${account}:b`, 400n),
    ]);
    expect([first.outcome, second.outcome].sort()).toEqual(['done', 'refused']);
    expect((await readBalance(db, programId, account))?.availablePoints).toBe(100n);
  });

  it('releases the points of a voided reservation, and voids idempotently', async () => {
    const account = await memberWith(300n);
    await reserve(account, `${account}:r`, 300n);
    const input = {
      programId,
      key: `${account}:v`,
      reservationKey: `${account}:r`,
      reason: 'credit refused',
    };
    expect((await voidReservation(db, input)).outcome).toBe('done');
    expect((await voidReservation(db, input)).outcome).toBe('done');
    expect((await readBalance(db, programId, account))?.availablePoints).toBe(300n);
  });

  it('expires a reservation nobody posted, and then refuses to post it', async () => {
    const account = await memberWith(300n);
    await reserve(account, `${account}:r`, 200n, new Date(Date.now() - 1));
    const posted = await postReservation(db, {
      programId,
      key: `${account}:p`,
      reservationKey: `${account}:r`,
      reason: 'late',
    });
    expect(posted).toMatchObject({ outcome: 'refused', code: 'reservation_expired' });
    expect((await readBalance(db, programId, account))?.availablePoints).toBe(300n);
  });

  it('sweeps overdue reservations', async () => {
    const account = await memberWith(300n);
    await reserve(account, `${account}:r`, 300n, new Date(Date.now() - 1));
    expect(await expireOverdueReservations(db)).toBeGreaterThanOrEqual(1);
    expect((await readBalance(db, programId, account))?.availablePoints).toBe(300n);
  });

  it('fences a key asked about before it arrived', async () => {
    const account = await memberWith(300n);
    expect(await askOutcome(db, programId, `${account}:late`)).toBe('abandoned');
    expect(await reserve(account, `${account}:late`, 100n)).toMatchObject({
      outcome: 'refused',
      code: 'operation_abandoned',
    });
    expect((await readBalance(db, programId, account))?.availablePoints).toBe(300n);
    await reserve(account, `${account}:on-time`, 100n);
    expect(await askOutcome(db, programId, `${account}:on-time`)).toBe('succeeded');
  });

  it('refuses a reservation for an unknown account', async () => {
    expect(await reserve('nobody', `nobody:${randomUUID()}`, 1n)).toMatchObject({
      outcome: 'refused',
      code: 'account_unknown',
    });
  });

  it('opens an account once, even when callers race, and refuses to open it as another kind', async () => {
    const accountRef = `member-${randomUUID()}`;
    const ids = await Promise.all(
      Array.from({ length: 8 }, () => ensureAccount(db, programId, accountRef, 'member')),
    );
    expect(new Set(ids).size).toBe(1);
    expect(await ensureAccount(db, programId, accountRef, 'member')).toBe(ids[0]);
    await expect(ensureAccount(db, programId, accountRef, 'issuance')).rejects.toThrow(/is a member account/);
    const rows = await db
      .selectFrom('ledger_accounts')
      .select('id')
      .where('program_id', '=', programId)
      .where('account_ref', '=', accountRef)
      .execute();
    expect(rows).toHaveLength(1);
  });
});
