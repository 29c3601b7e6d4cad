// The common reservation and post, each as one statement in its own implicit transaction: one round
// trip where the transactional path (operations.ts) takes seven. Each writes only when the case is the
// plain one; anything else (an unknown account or reservation, points or reservations past their end,
// too few points, a repeated or fenced key, a reservation no longer pending, a read that may be out
// of date) writes nothing and answers `undefined`, and the caller takes the transactional path, which
// decides every such case as before. The entries and counters are domain/ledger.ts's plan.
import { type Kysely, sql } from 'kysely';
import { assert } from '../../domain/arithmetic.ts';
import { type AccountBalances, planLedgerOperation } from '../../domain/ledger.ts';
import { normalizeProfile } from '../../domain/point-lots.ts';
import type { Database } from '../database.ts';
import { uncounted } from './accounts.ts';
import type { LedgerAnswer } from './movements.ts';

/**
 * What an operation changes, as the plan gives it: its entries and, for an account on each side, how
 * much each counter moves (planned from counters that hold the amount, so that nothing is refused).
 */
export function deltas(kind: 'reserve' | 'post', points: bigint) {
  const before: AccountBalances = {
    ...uncounted,
    debitsPending: points,
    creditsPending: points,
    countersKept: true,
  };
  const plan = planLedgerOperation(kind, points, before, before);
  assert(plan.ok, 'an operation on accounts without a limit is never refused');
  const change = (after: AccountBalances) => ({
    debitsPending: after.debitsPending - before.debitsPending,
    debitsPosted: after.debitsPosted - before.debitsPosted,
    creditsPending: after.creditsPending - before.creditsPending,
    creditsPosted: after.creditsPosted - before.creditsPosted,
  });
  return {
    entries: plan.entries,
    debitAccount: change(plan.debitAccount),
    creditAccount: change(plan.creditAccount),
  };
}

function entryValues(plan: ReturnType<typeof deltas>) {
  return sql.join(
    plan.entries.map(
      (entry) =>
        sql`(${entry.account === 'debit'}::boolean, ${entry.phase}::text, ${entry.amountPoints}::bigint)`,
    ),
  );
}

export interface OneStatementReserve {
  programId: string;
  key: string;
  accountRef: string;
  clearingAccountId: bigint;
  points: bigint;
  expiresAt: Date;
  reason: string;
  now: Date;
}

/**
 * Holds a member's points in one statement: the account locked, its lots read and burnt soonest
 * expiry first (then oldest), the holds, the transfer, its entries and the counters.
 *
 * Why the lots it reads are current: a statement reads with the snapshot it started with, and the
 * lock may be granted only after another transaction committed. But every change to an account's
 * lots also updates the account's row (its counters) in the same transaction, so when the row the
 * lock returns is the very version the snapshot shows (same xmin), no change to the lots committed
 * in between; otherwise the statement writes nothing and the transactional path runs.
 */
export async function reserveInOneStatement(
  db: Kysely<Database>,
  input: OneStatementReserve,
): Promise<LedgerAnswer | undefined> {
  const plan = deltas('reserve', input.points);
  const debit = plan.debitAccount;
  const credit = plan.creditAccount;
  const result = await sql<{ transfer_id: bigint | null; expires_at: Date | null; points: bigint | null }>`
    with
    seen as (
      select id, xmin from ledger_accounts
      where program_id = ${input.programId} and account_ref = ${input.accountRef} and kind = 'member'
    ),
    locked as (
      select account.id, account.xmin,
        account.credits_posted - account.debits_posted - account.debits_pending as available
      from ledger_accounts account where account.id = (select id from seen)
      for update
    ),
    account as (
      select locked.id from locked join seen on seen.id = locked.id and seen.xmin = locked.xmin
      where locked.available - ${debit.debitsPending + debit.debitsPosted}::bigint >= 0
        and not exists (
          select from ledger_lots lot where lot.account_id = locked.id
            and lot.remaining_points > 0 and lot.expires_at <= ${input.now})
        and not exists (
          select from ledger_transfers reservation where reservation.debit_account_id = locked.id
            and reservation.status = 'pending' and reservation.expires_at <= ${input.now})
    ),
    lots as (
      select lot.id, lot.expires_at, lot.remaining_points,
        (sum(lot.remaining_points) over (order by lot.expires_at asc nulls last, lot.id))::int8 - lot.remaining_points as before
      from ledger_lots lot
      where lot.account_id = (select id from account) and lot.remaining_points > 0
    ),
    taken as (
      select id, expires_at, least(remaining_points, ${input.points}::bigint - before) as points
      from lots where before < ${input.points}::bigint
    ),
    transfer as (
      insert into ledger_transfers
        (program_id, key, operation, debit_account_id, credit_account_id, amount_points, status, expires_at, reason)
      select ${input.programId}, ${input.key}, 'reserve', account.id, ${input.clearingAccountId}::bigint,
        ${input.points}::bigint, 'pending', ${input.expiresAt}::timestamptz, ${input.reason}
      from account
      where (select sum(points) from taken) = ${input.points}::bigint
      on conflict (program_id, key) do nothing
      returning id, debit_account_id
    ),
    entries as (
      insert into ledger_entries (transfer_id, account_id, phase, amount_points, reason)
      select transfer.id,
        case when entry.on_debit then transfer.debit_account_id else ${input.clearingAccountId}::bigint end,
        entry.phase, entry.amount_points, ${input.reason}
      from transfer, (values ${entryValues(plan)}) as entry (on_debit, phase, amount_points)
    ),
    counters as (
      update ledger_accounts set
        debits_pending = debits_pending + case when ledger_accounts.id = transfer.debit_account_id then ${debit.debitsPending}::bigint else 0 end,
        debits_posted = debits_posted + case when ledger_accounts.id = transfer.debit_account_id then ${debit.debitsPosted}::bigint else 0 end,
        credits_pending = credits_pending + case when ledger_accounts.id = ${input.clearingAccountId}::bigint then ${credit.creditsPending}::bigint else 0 end,
        credits_posted = credits_posted + case when ledger_accounts.id = ${input.clearingAccountId}::bigint then ${credit.creditsPosted}::bigint else 0 end
      from transfer
      where ledger_accounts.id in (transfer.debit_account_id, ${input.clearingAccountId}::bigint) and debits_must_not_exceed_credits
    ),
    burnt as (
      update ledger_lots set remaining_points = ledger_lots.remaining_points - taken.points
      from taken, transfer where ledger_lots.id = taken.id
    ),
    holds as (
      insert into ledger_lot_holds (reservation_id, lot_id, points)
      select transfer.id, taken.id, taken.points from transfer, taken
    )
    select transfer.id as transfer_id, taken.expires_at, taken.points
    from transfer left join taken on true`.execute(db);
  const first = result.rows[0];
  if (!first || first.transfer_id === null) return undefined;
  const profile = normalizeProfile(
    result.rows.map((row) => {
      assert(row.points !== null, 'a reservation holds lots');
      return { points: row.points, expiresAt: row.expires_at };
    }),
  );
  return { outcome: 'done', replayed: false, expiryProfile: profile };
}

export interface OneStatementPost {
  programId: string;
  key: string;
  reservationKey: string;
  reason: string;
  now: Date;
}

/**
 * Posts a pending reservation in one statement: the reservation locked (the version the lock returns
 * is the latest, so its status is current), the post, its entries, the counters moved by the plan's
 * amounts (a post changes no available balance, so it needs no read of them) and the reservation's
 * status. A reservation not pending, or past its end, is left to the transactional path.
 */
export async function postInOneStatement(
  db: Kysely<Database>,
  input: OneStatementPost,
): Promise<LedgerAnswer | undefined> {
  // The plan's change to counters is proportional to the amount: one point's, scaled in the statement.
  const plan = deltas('post', 1n);
  const debit = plan.debitAccount;
  const credit = plan.creditAccount;
  const result = await sql<{ id: bigint }>`
    with
    reservation as (
      select id, debit_account_id, credit_account_id, amount_points from ledger_transfers
      where program_id = ${input.programId} and key = ${input.reservationKey} and operation = 'reserve'
        and status = 'pending' and (expires_at is null or expires_at > ${input.now})
      for update
    ),
    transfer as (
      insert into ledger_transfers
        (program_id, key, operation, debit_account_id, credit_account_id, amount_points, pending_transfer_id, status, reason)
      select ${input.programId}, ${input.key}, 'post', debit_account_id, credit_account_id, amount_points, id,
        'posted', ${input.reason}
      from reservation
      on conflict (program_id, key) do nothing
      returning id, debit_account_id, credit_account_id, amount_points
    ),
    entries as (
      insert into ledger_entries (transfer_id, account_id, phase, amount_points, reason)
      select transfer.id,
        case when entry.on_debit then transfer.debit_account_id else transfer.credit_account_id end,
        entry.phase, entry.amount_points * transfer.amount_points, ${input.reason}
      from transfer, (values ${entryValues(plan)}) as entry (on_debit, phase, amount_points)
    ),
    counters as (
      update ledger_accounts set
        debits_pending = debits_pending + case when ledger_accounts.id = transfer.debit_account_id then ${debit.debitsPending}::bigint * transfer.amount_points else 0 end,
        debits_posted = debits_posted + case when ledger_accounts.id = transfer.debit_account_id then ${debit.debitsPosted}::bigint * transfer.amount_points else 0 end,
        credits_pending = credits_pending + case when ledger_accounts.id = transfer.credit_account_id then ${credit.creditsPending}::bigint * transfer.amount_points else 0 end,
        credits_posted = credits_posted + case when ledger_accounts.id = transfer.credit_account_id then ${credit.creditsPosted}::bigint * transfer.amount_points else 0 end
      from transfer
      where ledger_accounts.id in (transfer.debit_account_id, transfer.credit_account_id) and debits_must_not_exceed_credits
    ),
    resolved as (
      update ledger_transfers set status = 'post_done'
      from transfer where ledger_transfers.id = (select id from reservation)
    )
    select id from transfer`.execute(db);
  return result.rows.length === 1 ? { outcome: 'done', replayed: false } : undefined;
}
