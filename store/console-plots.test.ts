// The liability plot's balances, counted back from the member accounts' counters through the
// entries since its first day, are the balances counted forward from every entry ever written:
// checked against that definition over points credited, spent and reserved on different days,
// some before the plot's first day.
import { sql } from 'kysely';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from './connection.ts';
import { memberBalancesByDay } from './console-plots.ts';
import { dropDatabase, ensureDatabase, withDatabase } from './database-url.ts';
import { createLedgerAccountIds } from './hosted-ledger/accounts.ts';
import { creditPoints, postReservation, reservePoints } from './hosted-ledger/operations.ts';
import { migrateToLatest } from './migrator.ts';

const url = withDatabase(inject('databaseServerUrl'), `alliance_console_plots_${process.pid}_${Date.now()}`);
await ensureDatabase(url);
const db = createDatabase({ url, poolSizeMax: 2 });
await migrateToLatest(db);
afterAll(async () => {
  await db.destroy();
  await dropDatabase(url);
});

const dayMs = 86_400_000;
const today = new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
const daysAgo = (days: number) => new Date(today.getTime() - days * dayMs + 12 * 3_600_000);

/** Moves the entries of the ledger operations under these keys to another instant. */
async function writtenAt(keys: string[], at: Date) {
  await sql`update ledger_entries set created_at = ${at}
    where transfer_id in (select id from ledger_transfers where key = any(${keys}::text[]))`.execute(db);
}

/** The definition: every posted entry on a member account up to the end of each day. */
async function forwardBalances(programId: string, from: Date, days: number) {
  const balances: string[] = [];
  for (let day = 0; day < days; day += 1) {
    const end = new Date(from.getTime() + (day + 1) * dayMs);
    const { rows } = await sql<{ points: bigint }>`
      select coalesce(sum(entry.amount_points), 0)::int8 as points
      from ledger_entries entry join ledger_accounts account on account.id = entry.account_id
      where account.program_id = ${programId} and account.kind = 'member' and entry.phase = 'posted'
        and entry.created_at < ${end}`.execute(db);
    balances.push(String(rows[0]?.points));
  }
  return balances;
}

describe('memberBalancesByDay', () => {
  it('counts back from the counters to the balances the entries give, day by day', async () => {
    await sql`insert into partners (id, name, status) values ('ptn_books', 'Books', 'active')`.execute(db);
    await sql`insert into programs (id, partner_id, name, unit_name, ledger)
      values ('prg_books', 'ptn_books', 'Books', 'pages', 'hosted')`.execute(db);
    const ids = createLedgerAccountIds();
    const programId = 'prg_books';
    const credit = async (key: string, accountRef: string, points: bigint, at: Date) => {
      expect(
        (await creditPoints(db, ids, { programId, key, accountRef, points, reason: 'test' })).outcome,
      ).toBe('done');
      await writtenAt([key], at);
    };
    const spend = async (key: string, accountRef: string, points: bigint, at: Date, post: boolean) => {
      const expiresAt = new Date(Date.now() + 3_600_000);
      const reserved = await reservePoints(db, ids, {
        programId,
        key: `${key}:reserve`,
        accountRef,
        points,
        expiresAt,
        reason: 'test',
      });
      expect(reserved.outcome).toBe('done');
      if (post) {
        const posted = await postReservation(db, {
          programId,
          key: `${key}:post`,
          reservationKey: `${key}:reserve`,
          reason: 'test',
        });
        expect(posted.outcome).toBe('done');
      }
      await writtenAt([`${key}:reserve`, `${key}:post`], at);
    };
    await credit('c1', 'ann', 1_000n, daysAgo(40));
    await credit('c2', 'bob', 500n, daysAgo(12));
    await spend('s1', 'ann', 300n, daysAgo(7), true);
    await credit('c3', 'bob', 250n, daysAgo(3));
    // Held, not posted: still the member's points.
    await spend('s2', 'bob', 100n, daysAgo(2), false);
    await spend('s3', 'ann', 50n, daysAgo(0), true);

    const from = new Date(today.getTime() - 29 * dayMs);
    const to = new Date(today.getTime() + dayMs);
    const rows = await memberBalancesByDay(db, { from, to, programIds: [programId] });
    expect(rows.map((row) => row.day)).toEqual(
      Array.from({ length: 30 }, (_, day) =>
        new Date(from.getTime() + day * dayMs).toISOString().slice(0, 10),
      ),
    );
    const balances = rows.map((row) => String(row.balance_points));
    expect(balances).toEqual(await forwardBalances(programId, from, 30));
    expect(balances[0]).toBe('1000');
    expect(balances.at(-1)).toBe('1400');
    expect(await memberBalancesByDay(db, { from, to, programIds: [] })).toEqual([]);
  });
});
