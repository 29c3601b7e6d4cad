// Lots reaching their end: the accounts that have some, the movement that takes their points out
// (member → the programme's issuance account, one 'expire' movement per lot, with its reason), and
// the points coming due that members' partners are reminded of.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../database.ts';
import { enqueueEvent } from '../webhooks.ts';
import { lockCountedAccounts } from './accounts.ts';
import { move } from './movements.ts';

export interface AccountWithDueLots {
  accountId: bigint;
  programId: string;
  accountRef: string;
}

/** A page of member accounts holding points in lots whose end has come by `now`, in account order. */
export async function accountsWithDueLots(
  db: Kysely<Database>,
  input: { now: Date; afterAccountId: bigint | null; limit: number },
): Promise<AccountWithDueLots[]> {
  let due = db
    .selectFrom('ledger_lots')
    .select('account_id')
    .distinct()
    .where('remaining_points', '>', 0n)
    .where('expires_at', '<=', input.now)
    .orderBy('account_id')
    .limit(input.limit);
  if (input.afterAccountId !== null) due = due.where('account_id', '>', input.afterAccountId);
  const rows = await db
    .selectFrom(due.as('due'))
    .innerJoin('ledger_accounts as account', 'account.id', 'due.account_id')
    .select(['account.id', 'account.program_id', 'account.account_ref'])
    .orderBy('account.id')
    .execute();
  return rows.map((row) => ({ accountId: row.id, programId: row.program_id, accountRef: row.account_ref }));
}

export interface ExpiredLot {
  lotId: bigint;
  points: bigint;
  expiresAt: Date;
  /** The key of the movement that took them out. */
  movementKey: string;
}

/**
 * Expires an account's lots whose end has come by `now`, under the account's lock: each lot's
 * remaining points leave in an 'expire' movement keyed by the lot and what it had expired before, so
 * points a void gives back to an expired lot expire under a key of their own. A second run finds
 * nothing left to expire.
 */
export async function expireAccountLots(
  trx: Transaction<Database>,
  input: { account: AccountWithDueLots; issuanceAccountId: bigint; now: Date },
): Promise<ExpiredLot[]> {
  await lockCountedAccounts(trx, [input.account.accountId]);
  const lots = await trx
    .selectFrom('ledger_lots')
    .select(['id', 'remaining_points', 'expired_points', 'expires_at', 'points', 'created_at'])
    .where('account_id', '=', input.account.accountId)
    .where('remaining_points', '>', 0n)
    .where('expires_at', '<=', input.now)
    .orderBy('expires_at')
    .orderBy('id')
    .execute();
  const expired: ExpiredLot[] = [];
  for (const lot of lots) {
    if (lot.expires_at === null) continue;
    const movementKey = `expire:${lot.id}:${lot.expired_points}`;
    const taken = { lotId: lot.id, points: lot.remaining_points, expiresAt: lot.expires_at };
    const outcome = await move(trx, {
      programId: input.account.programId,
      key: movementKey,
      kind: 'expire',
      debitAccountId: input.account.accountId,
      creditAccountId: input.issuanceAccountId,
      amountPoints: lot.remaining_points,
      status: 'posted',
      pendingTransferId: null,
      expiresAt: null,
      reason: `points expired at ${lot.expires_at.toISOString()} (lot ${lot.id}: ${lot.points} points made ${lot.created_at.toISOString()})`,
      takeLots: async () => [taken],
    });
    if (outcome.outcome !== 'done') throw new Error(`expiring lot ${lot.id}: ${outcome.code}`);
    await trx
      .updateTable('ledger_lots')
      .set((eb) => ({ expired_points: eb('expired_points', '+', lot.remaining_points) }))
      .where('id', '=', lot.id)
      .execute();
    expired.push({ lotId: lot.id, points: lot.remaining_points, expiresAt: lot.expires_at, movementKey });
  }
  return expired;
}

/** The member an account belongs to, as its link says (the live link first); null when unlinked. */
async function memberOf(db: Kysely<Database>, programId: string, accountRef: string): Promise<string | null> {
  const link = await db
    .selectFrom('member_links')
    .select('member_id')
    .where('program_id', '=', programId)
    .where('account_ref', '=', accountRef)
    .orderBy(sql`revoked_at nulls first`)
    .orderBy('linked_at', 'desc')
    .executeTakeFirst();
  return link?.member_id ?? null;
}

/**
 * Expires an account's due lots and, in the same transaction, queues `points.expired` for the
 * programme's partner (once per expiry: its id is the first movement's key). Returns the lots.
 */
export async function expireAccountLotsWithNotice(
  trx: Transaction<Database>,
  input: { account: AccountWithDueLots; issuanceAccountId: bigint; now: Date },
): Promise<ExpiredLot[]> {
  const expired = await expireAccountLots(trx, input);
  const first = expired[0];
  if (!first) return expired;
  const { programId, accountRef } = input.account;
  await enqueueEvent(trx, {
    programIds: [programId],
    type: 'points.expired',
    eventId: `points.expired:${programId}:${first.movementKey}`,
    payload: {
      type: 'points.expired',
      programId,
      accountRef,
      memberId: await memberOf(trx, programId, accountRef),
      expiredPoints: String(expired.reduce((sum, lot) => sum + lot.points, 0n)),
      lots: expired.map((lot) => ({
        points: String(lot.points),
        expiresAt: lot.expiresAt.toISOString(),
        movementKey: lot.movementKey,
      })),
    },
  });
  return expired;
}

/** Whether the account holds points past their end (checked before it spends any). */
export async function hasDueLots(db: Kysely<Database>, accountId: bigint, now: Date): Promise<boolean> {
  const due = await db
    .selectFrom('ledger_lots')
    .select('id')
    .where('account_id', '=', accountId)
    .where('remaining_points', '>', 0n)
    .where('expires_at', '<=', now)
    .limit(1)
    .executeTakeFirst();
  return due !== undefined;
}

export interface ComingDue {
  programId: string;
  accountRef: string;
  memberId: string | null;
  /** The UTC calendar day the points expire on, and the first instant of it that any of them do. */
  expiresOn: string;
  expiresAt: Date;
  points: bigint;
  reminderDays: number[];
}

/**
 * Points of hosted programmes that take reminders, grouped by account and UTC day of expiry, whose
 * end is within the programme's largest reminder window: a page, in a stable order.
 */
export async function pointsComingDue(
  db: Kysely<Database>,
  input: { now: Date; after: { accountId: bigint; expiresOn: string } | null; limit: number },
): Promise<(ComingDue & { accountId: bigint })[]> {
  const after = input.after;
  const result = await sql<{
    account_id: bigint;
    program_id: string;
    account_ref: string;
    member_id: string | null;
    expires_on: string;
    expires_at: Date;
    points: bigint;
    reminder_days: number[];
  }>`
    select lot.account_id, account.program_id, account.account_ref,
      (select link.member_id from member_links link
        where link.program_id = account.program_id and link.account_ref = account.account_ref
        order by link.revoked_at nulls first, link.linked_at desc limit 1) as member_id,
      to_char(lot.expires_at at time zone 'UTC', 'YYYY-MM-DD') as expires_on,
      min(lot.expires_at) as expires_at, sum(lot.remaining_points)::int8 as points,
      program.expiry_reminder_days as reminder_days
    from ledger_lots lot
    join ledger_accounts account on account.id = lot.account_id
    join programs program on program.id = account.program_id
    where lot.remaining_points > 0 and lot.expires_at > ${input.now}
      and cardinality(program.expiry_reminder_days) > 0
      and lot.expires_at <= ${input.now}::timestamptz
        + make_interval(days => (select max(days) from unnest(program.expiry_reminder_days) as days))
      -- the page's first account bounds the rows read, so each page costs its own accounts, not the window
      and (${after === null}::boolean or lot.account_id >= ${after?.accountId ?? 0n}::bigint)
    group by lot.account_id, account.program_id, account.account_ref, expires_on, program.expiry_reminder_days
    having ${after === null}::boolean
      or (lot.account_id, to_char(lot.expires_at at time zone 'UTC', 'YYYY-MM-DD'))
        > (${after?.accountId ?? 0n}::bigint, ${after?.expiresOn ?? ''}::text)
    order by lot.account_id, expires_on
    limit ${input.limit}`.execute(db);
  return result.rows.map((row) => ({
    accountId: row.account_id,
    programId: row.program_id,
    accountRef: row.account_ref,
    memberId: row.member_id,
    expiresOn: row.expires_on,
    expiresAt: row.expires_at,
    points: row.points,
    reminderDays: row.reminder_days,
  }));
}
