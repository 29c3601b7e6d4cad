// The one-statement reservation and post on the real database: they do the plain case alone, leave
// every other case to the transactional path without writing anything, never read lots that changed
// while they waited for the account's lock, and keep members from going below zero under concurrency.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test/support/database.ts';
import { useHostedProgram } from '../../test/support/hosted-ledger.ts';
import { createLedgerAccountIds } from './accounts.ts';
import { takeLots } from './lots.ts';
import { move } from './movements.ts';
import { postInOneStatement, reserveInOneStatement } from './one-statement.ts';
import { askOutcome, postReservation, reservePoints, voidReservation } from './operations.ts';
import { checkLedger, readBalance } from './reports.ts';

const accountIds = createLedgerAccountIds();
const db = useTestDatabase(10);
const { programId, memberWithLots } = useHostedProgram(db, accountIds, 'One');
const march = new Date('2090-03-01T00:00:00Z');
const june = new Date('2090-06-01T00:00:00Z');
const september = new Date('2090-09-01T00:00:00Z');

async function reserveOnce(accountRef: string, key: string, points: bigint, now = new Date('2090-01-01')) {
  return reserveInOneStatement(db, {
    programId,
    key,
    accountRef,
    clearingAccountId: await accountIds.system(db, programId, 'alliance_clearing'),
    points,
    expiresAt: new Date(now.getTime() + 60_000),
    reason: 'transfer out',
    now,
  });
}

const postOnce = (key: string, reservationKey: string, now = new Date('2090-01-01')) =>
  postInOneStatement(db, { programId, key, reservationKey, reason: 'transfer posted', now });

const transferExists = async (key: string) =>
  (await db
    .selectFrom('ledger_transfers')
    .select('id')
    .where('program_id', '=', programId)
    .where('key', '=', key)
    .executeTakeFirst()) !== undefined;

async function expectBalanced(): Promise<void> {
  expect(await checkLedger(db)).toEqual({ entriesSum: 0n, accountsOutOfBalance: [] });
}

describe('one-statement reservation and post', () => {
  it('reserve and post the plain case alone, soonest expiry first, across lots', async () => {
    const member = await memberWithLots([
      [50n, september],
      [20n, march],
      [40n, june],
    ]);
    expect(await reserveOnce(member, 'r1', 45n)).toEqual({
      outcome: 'done',
      replayed: false,
      expiryProfile: [
        { points: 20n, expiresAt: march },
        { points: 25n, expiresAt: june },
      ],
    });
    expect(await postOnce('p1', 'r1')).toEqual({ outcome: 'done', replayed: false });
    const balance = await readBalance(db, programId, member);
    expect(balance?.availablePoints).toBe(65n);
    expect(balance?.postedPoints).toBe(65n);
    expect(balance?.expiryProfile).toEqual([
      { points: 15n, expiresAt: june },
      { points: 50n, expiresAt: september },
    ]);
    // A repeat of either key answers the first outcome (through the transactional path).
    expect(await reserveOnce(member, 'r1', 45n)).toBeUndefined();
    expect(await postOnce('p1', 'r1')).toBeUndefined();
    expect(
      await postReservation(db, { programId, key: 'p1', reservationKey: 'r1', reason: 'again' }),
    ).toEqual({
      outcome: 'done',
      replayed: true,
      points: 45n,
    });
    await expectBalanced();
  });

  it('write nothing for every case that is not plain, and the transactional path decides it', async () => {
    const member = await memberWithLots([[30n, june]]);
    // Too few points, and an unknown account.
    expect(await reserveOnce(member, 'short', 31n)).toBeUndefined();
    expect(await reserveOnce(`nobody-${randomUUID()}`, 'nobody', 1n)).toBeUndefined();
    // A key asked about before it arrived stays fenced.
    expect(await askOutcome(db, programId, 'fenced')).toBe('abandoned');
    expect(await reserveOnce(member, 'fenced', 10n)).toBeUndefined();
    // Points past their end are expired by the transactional path first.
    expect(await reserveOnce(member, 'late', 10n, new Date('2090-07-01'))).toBeUndefined();
    expect(await transferExists('short')).toBe(false);
    expect(await transferExists('nobody')).toBe(false);
    expect((await readBalance(db, programId, member))?.availablePoints).toBe(30n);

    const other = await memberWithLots([[30n, june]]);
    expect((await reserveOnce(other, 'held', 10n))?.outcome).toBe('done');
    // A reservation past its end, one voided, one unknown, and a post key used before: no post.
    expect(await postOnce('held-late', 'held', new Date('2090-01-02'))).toBeUndefined();
    expect(await postOnce('unknown', `none-${randomUUID()}`)).toBeUndefined();
    expect(
      await voidReservation(db, { programId, key: 'held-void', reservationKey: 'held', reason: 'void' }),
    ).toEqual({ outcome: 'done', replayed: false });
    expect(await postOnce('held-post', 'held')).toBeUndefined();
    expect(await transferExists('held-late')).toBe(false);
    expect(await transferExists('held-post')).toBe(false);
    expect((await readBalance(db, programId, other))?.availablePoints).toBe(30n);
    await expectBalanced();
  });

  it('never burns lots that changed while it waited for the lock: it leaves them to the transactional path', async () => {
    const member = await memberWithLots([
      [100n, march],
      [100n, june],
    ]);
    const account = await db
      .selectFrom('ledger_accounts')
      .select('id')
      .where('program_id', '=', programId)
      .where('account_ref', '=', member)
      .executeTakeFirstOrThrow();
    let waiting: ReturnType<typeof reserveOnce> | undefined;
    await db.transaction().execute(async (trx) => {
      await sql`select id from ledger_accounts where id = ${account.id} for update`.execute(trx);
      waiting = reserveOnce(member, 'waited', 30n);
      await sleep(300);
      // Another reservation, under the same lock, holds 80 of the March lot's points.
      const inner = await move(trx, {
        programId,
        key: 'inner',
        kind: 'reserve',
        debitAccountId: account.id,
        creditAccountId: await accountIds.system(db, programId, 'alliance_clearing'),
        amountPoints: 80n,
        status: 'pending',
        pendingTransferId: null,
        expiresAt: new Date('2090-01-01T00:01:00Z'),
        reason: 'transfer out',
        takeLots: (lotTrx) => takeLots(lotTrx, account.id, 80n),
      });
      expect(inner.outcome).toBe('done');
    });
    // Read with the lots as they were, it would have taken 30 from the 20 left in March.
    expect(await waiting).toBeUndefined();
    expect(await transferExists('waited')).toBe(false);
    const reserved = await reservePoints(db, accountIds, {
      programId,
      key: 'waited',
      accountRef: member,
      points: 30n,
      reason: 'transfer out',
      expiresAt: new Date('2090-01-01T00:01:00Z'),
      now: new Date('2090-01-01'),
    });
    expect(reserved).toMatchObject({
      outcome: 'done',
      expiryProfile: [
        { points: 20n, expiresAt: march },
        { points: 10n, expiresAt: june },
      ],
    });

    // A lock held by a transaction that changed nothing lets it through.
    await db.transaction().execute(async (trx) => {
      await sql`select id from ledger_accounts where id = ${account.id} for update`.execute(trx);
      waiting = reserveOnce(member, 'waited-again', 30n);
      await sleep(300);
    });
    expect((await waiting)?.outcome).toBe('done');
    await expectBalanced();
  });

  it('lets exactly as many concurrent debits through as the lots hold', async () => {
    const member = await memberWithLots(
      Array.from({ length: 10 }, (_, index): [bigint, Date] => [
        10n,
        new Date(Date.UTC(2090, (index * 7) % 10, 1)),
      ]),
    );
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, async (_, index) => {
        const reserved = await reservePoints(db, accountIds, {
          programId,
          key: `${member}:r${index}`,
          accountRef: member,
          points: 30n,
          reason: 'transfer out',
          expiresAt: new Date('2090-01-01'),
        });
        if (reserved.outcome !== 'done') return reserved.code;
        const posted = await postReservation(db, {
          programId,
          key: `${member}:p${index}`,
          reservationKey: `${member}:r${index}`,
          reason: 'transfer posted',
        });
        return posted.outcome === 'done' ? 'done' : posted.code;
      }),
    );
    expect(outcomes.filter((outcome) => outcome === 'done')).toHaveLength(3);
    expect(outcomes.filter((outcome) => outcome === 'insufficient_points')).toHaveLength(9);
    const balance = await readBalance(db, programId, member);
    expect(balance?.availablePoints).toBe(10n);
    // What is left is the latest lot: the other nine were burnt, soonest first.
    expect(balance?.expiryProfile).toEqual([{ points: 10n, expiresAt: new Date(Date.UTC(2090, 9, 1)) }]);
    await expectBalanced();
  });
});
