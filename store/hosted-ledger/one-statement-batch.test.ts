// The reservations and posts of many callers in one statement decide each call as its own statement
// would: the plain ones written (soonest expiry first, across lots), every other one left to the
// transactional path with nothing of it written, the counters of a shared account summed, and no
// member below zero when callers race through the batcher. On the real database.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test/support/database.ts';
import { useHostedProgram } from '../../test/support/hosted-ledger.ts';
import { createLedgerAccountIds } from './accounts.ts';
import type { OneStatementPost, OneStatementReserve } from './one-statement.ts';
import { postMany, reserveMany } from './one-statement-batch.ts';
import { askOutcome, postReservation, reservePoints } from './operations.ts';
import { checkLedger, readBalance } from './reports.ts';

const accountIds = createLedgerAccountIds();
const db = useTestDatabase(10);
const { programId, memberWithLots } = useHostedProgram(db, accountIds, 'Many');
const march = new Date('2090-03-01T00:00:00Z');
const june = new Date('2090-06-01T00:00:00Z');
const september = new Date('2090-09-01T00:00:00Z');
const january = new Date('2090-01-01T00:00:00Z');

async function reserve(
  accountRef: string,
  key: string,
  points: bigint,
  now = january,
): Promise<OneStatementReserve> {
  return {
    programId,
    key,
    accountRef,
    clearingAccountId: await accountIds.system(db, programId, 'alliance_clearing'),
    points,
    expiresAt: new Date(now.getTime() + 60_000),
    reason: 'transfer out',
    now,
  };
}

const post = (key: string, reservationKey: string, now = january): OneStatementPost => ({
  programId,
  key,
  reservationKey,
  reason: 'transfer posted',
  now,
});

async function transferExists(key: string): Promise<boolean> {
  const row = await db
    .selectFrom('ledger_transfers')
    .select('id')
    .where('program_id', '=', programId)
    .where('key', '=', key)
    .executeTakeFirst();
  return row !== undefined;
}

const available = async (accountRef: string) =>
  (await readBalance(db, programId, accountRef))?.availablePoints;

describe('reservations and posts many to a statement', () => {
  it('write the plain calls of a batch and leave every other one untouched to the transactional path', async () => {
    const spread = await memberWithLots([
      [50n, september],
      [20n, march],
      [40n, june],
    ]);
    const short = await memberWithLots([[30n, june]]);
    const late = await memberWithLots([[30n, june]]);
    const fenced = await memberWithLots([[30n, june]]);
    const fencedKey = `fenced-${randomUUID()}`;
    expect(await askOutcome(db, programId, fencedKey)).toBe('abandoned');
    const key = () => `r-${randomUUID()}`;
    const keys = [key(), key(), key(), key(), key()];
    const decided = await reserveMany(db, [
      await reserve(spread, keys[0] as string, 45n),
      await reserve(short, keys[1] as string, 31n),
      await reserve(`nobody-${randomUUID()}`, keys[2] as string, 1n),
      await reserve(late, keys[3] as string, 10n, new Date('2090-07-01')),
      await reserve(fenced, fencedKey, 10n),
    ]);
    expect(decided).toEqual([
      {
        outcome: 'done',
        replayed: false,
        expiryProfile: [
          { points: 20n, expiresAt: march },
          { points: 25n, expiresAt: june },
        ],
      },
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    for (const untouched of keys.slice(1, 4)) expect(await transferExists(untouched)).toBe(false);
    expect(await available(spread)).toBe(65n);
    expect([await available(short), await available(late), await available(fenced)]).toEqual([30n, 30n, 30n]);

    const other = await memberWithLots([[30n, june]]);
    const otherKey = key();
    expect((await reserveMany(db, [await reserve(other, otherKey, 10n)]))[0]?.outcome).toBe('done');
    const posted = await postMany(db, [
      post(`p-${keys[0]}`, keys[0] as string),
      post(`p-unknown-${randomUUID()}`, `none-${randomUUID()}`),
      post(`p-late-${otherKey}`, otherKey, new Date('2090-01-02')),
    ]);
    expect(posted).toEqual([{ outcome: 'done', replayed: false }, undefined, undefined]);
    expect(await transferExists(`p-late-${otherKey}`)).toBe(false);
    const balance = await readBalance(db, programId, spread);
    expect(balance?.postedPoints).toBe(65n);
    expect(balance?.expiryProfile).toEqual([
      { points: 15n, expiresAt: june },
      { points: 50n, expiresAt: september },
    ]);
    // A repeat of the post's key answers the first outcome, through the transactional path.
    expect(
      await postReservation(db, {
        programId,
        key: `p-${keys[0]}`,
        reservationKey: keys[0] as string,
        reason: 'x',
      }),
    ).toEqual({ outcome: 'done', replayed: true, points: 45n });
    expect(await checkLedger(db)).toEqual({ entriesSum: 0n, accountsOutOfBalance: [] });
  });

  it('sum a shared account’s counters and keep every member at or above zero when callers race', async () => {
    const members = await Promise.all(Array.from({ length: 6 }, () => memberWithLots([[100n, june]])));
    // Each member asked for 30 points five times at once: three succeed (90), two are refused.
    const calls = members.flatMap((member) =>
      Array.from({ length: 5 }, () => ({ member, key: `race-${randomUUID()}` })),
    );
    const answers = await Promise.all(
      calls.map(({ member, key }) =>
        reservePoints(db, accountIds, {
          programId,
          key,
          accountRef: member,
          points: 30n,
          expiresAt: new Date(Date.now() + 60_000),
          reason: 'race',
        }),
      ),
    );
    expect(answers.filter((answer) => answer.outcome === 'done')).toHaveLength(18);
    expect(answers.filter((answer) => answer.outcome === 'refused')).toHaveLength(12);
    const posts = await Promise.all(
      calls
        .filter((_, index) => answers[index]?.outcome === 'done')
        .map(({ key }) =>
          postReservation(db, { programId, key: `${key}:post`, reservationKey: key, reason: 'race' }),
        ),
    );
    expect(posts.every((answer) => answer.outcome === 'done')).toBe(true);
    for (const member of members) {
      const balance = await readBalance(db, programId, member);
      expect([balance?.availablePoints, balance?.postedPoints]).toEqual([10n, 10n]);
    }
    expect(await checkLedger(db)).toEqual({ entriesSum: 0n, accountsOutOfBalance: [] });
  });
});
