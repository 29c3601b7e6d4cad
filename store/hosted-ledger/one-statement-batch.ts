// The plain reservations and posts of many callers, each kind as one statement (group commit by
// hand, store/statement-batcher.ts): the calls that arrive while a statement of their kind runs go
// together in the next one, with one commit for all; a call that finds a free slot runs alone, in
// one-statement.ts's statement. Each call of a batch is decided as its own statement would decide
// it: written when its case is the plain one, and otherwise answered `undefined` with nothing of it
// written, so that its caller takes the transactional path (operations.ts), which decides every
// other case. A batch holds each account, reservation and key once; a second call for one of them
// waits for the next statement. Should a batch statement fail as a whole (a deadlock with another
// process's batch), each of its calls runs alone.
import { CompiledQuery, type Kysely } from 'kysely';
import { assert } from '../../domain/arithmetic.ts';
import { normalizeProfile } from '../../domain/point-lots.ts';
import type { Database } from '../database.ts';
import { batcherPerPool, createStatementBatcher } from '../statement-batcher.ts';
import type { LedgerAnswer } from './movements.ts';
import {
  deltas,
  type OneStatementPost,
  type OneStatementReserve,
  postInOneStatement,
  reserveInOneStatement,
} from './one-statement.ts';

type Plain = LedgerAnswer | undefined;

/** One point's plan; the statements scale it by each operation's amount. */
function unitPlan(kind: 'reserve' | 'post') {
  const unit = deltas(kind, 1n);
  const scaled = deltas(kind, 7n);
  const times = (value: bigint) => value * 7n;
  assert(
    scaled.entries.every(
      (entry, index) => entry.amountPoints === times(unit.entries[index]?.amountPoints ?? 0n),
    ) &&
      scaled.debitAccount.debitsPending === times(unit.debitAccount.debitsPending) &&
      scaled.debitAccount.debitsPosted === times(unit.debitAccount.debitsPosted) &&
      scaled.creditAccount.creditsPending === times(unit.creditAccount.creditsPending) &&
      scaled.creditAccount.creditsPosted === times(unit.creditAccount.creditsPosted),
    `a ${kind}'s plan is proportional to its amount`,
  );
  const entries = unit.entries
    .map((entry) => `(${entry.account === 'debit'}, '${entry.phase}', ${entry.amountPoints}::int8)`)
    .join(', ');
  return { ...unit, entries };
}

/** The counters each made operation moves, summed per account (the clearing account is shared). */
function counterMoves(plan: ReturnType<typeof unitPlan>) {
  const { debitAccount: debit, creditAccount: credit } = plan;
  return `
  counter_moves as (
    select account_id, sum(debits_pending)::int8 as debits_pending, sum(debits_posted)::int8 as debits_posted,
      sum(credits_pending)::int8 as credits_pending, sum(credits_posted)::int8 as credits_posted
    from (
      select debit_account_id as account_id, points * ${debit.debitsPending} as debits_pending,
        points * ${debit.debitsPosted} as debits_posted, 0 as credits_pending, 0 as credits_posted
      from made
      union all
      select credit_account_id, 0, 0, points * ${credit.creditsPending}, points * ${credit.creditsPosted}
      from made
    ) moves
    group by account_id
  ),
  counters as (
    update ledger_accounts a set
      debits_pending = a.debits_pending + c.debits_pending, debits_posted = a.debits_posted + c.debits_posted,
      credits_pending = a.credits_pending + c.credits_pending, credits_posted = a.credits_posted + c.credits_posted
    from counter_moves c
    where a.id = c.account_id and a.debits_must_not_exceed_credits
  ),`;
}

const reservePlan = unitPlan('reserve');

/** As reserveInOneStatement, per call: the lots read only when the account's row is the snapshot's. */
const reserves = `
  with
  input as (
    select * from unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::int8[], $6::timestamptz[],
      $7::text[], $8::timestamptz[])
      with ordinality as u(program_id, key, account_ref, clearing_id, points, expires_at, reason, now, n)
  ),
  seen as (
    select u.n, a.id, a.xmin from input u
    join ledger_accounts a on a.program_id = u.program_id and a.account_ref = u.account_ref and a.kind = 'member'
  ),
  locked as (
    select a.id, a.xmin, a.credits_posted - a.debits_posted - a.debits_pending as available
    from ledger_accounts a where a.id in (select id from seen)
    order by a.id
    for update
  ),
  account as (
    select u.n, l.id from seen s
    join locked l on l.id = s.id and l.xmin = s.xmin
    join input u on u.n = s.n
    where l.available - u.points * ${reservePlan.debitAccount.debitsPending + reservePlan.debitAccount.debitsPosted} >= 0
      and not exists (
        select from ledger_lots lot where lot.account_id = l.id
          and lot.remaining_points > 0 and lot.expires_at <= u.now)
      and not exists (
        select from ledger_transfers reservation where reservation.debit_account_id = l.id
          and reservation.status = 'pending' and reservation.expires_at <= u.now)
  ),
  lots as (
    select a.n, lot.id, lot.expires_at, lot.remaining_points,
      (sum(lot.remaining_points) over (partition by a.n order by lot.expires_at asc nulls last, lot.id))::int8
        - lot.remaining_points as before
    from account a
    join ledger_lots lot on lot.account_id = a.id and lot.remaining_points > 0
  ),
  taken as (
    select l.n, l.id, l.expires_at, least(l.remaining_points, u.points - l.before) as points
    from lots l join input u on u.n = l.n
    where l.before < u.points
  ),
  enough as (
    select t.n from taken t join input u on u.n = t.n group by t.n, u.points having sum(t.points) = u.points
  ),
  transfer as (
    insert into ledger_transfers
      (program_id, key, operation, debit_account_id, credit_account_id, amount_points, status, expires_at, reason)
    select u.program_id, u.key, 'reserve', a.id, u.clearing_id, u.points, 'pending', u.expires_at, u.reason
    from account a join input u on u.n = a.n
    where a.n in (select n from enough)
    on conflict (program_id, key) do nothing
    returning id, program_id, key, debit_account_id, credit_account_id, amount_points
  ),
  made as (
    select u.n, t.id, t.debit_account_id, t.credit_account_id, t.amount_points as points, u.reason
    from transfer t join input u on u.program_id = t.program_id and u.key = t.key
  ),
  entries as (
    insert into ledger_entries (transfer_id, account_id, phase, amount_points, reason)
    select m.id, case when e.on_debit then m.debit_account_id else m.credit_account_id end, e.phase,
      e.amount_points * m.points, m.reason
    from made m, (values ${reservePlan.entries}) as e (on_debit, phase, amount_points)
  ),
  ${counterMoves(reservePlan)}
  burnt as (
    update ledger_lots set remaining_points = ledger_lots.remaining_points - t.points
    from taken t join made m on m.n = t.n
    where ledger_lots.id = t.id
  ),
  holds as (
    insert into ledger_lot_holds (reservation_id, lot_id, points)
    select m.id, t.id, t.points from made m join taken t on t.n = m.n
  )
  select u.n, m.id as transfer_id, t.expires_at, t.points
  from input u
  left join made m on m.n = u.n
  left join taken t on t.n = m.n
  order by u.n`;

const postPlan = unitPlan('post');

/** As postInOneStatement, per call: a reservation not pending, or past its end, is left alone. */
const posts = `
  with
  input as (
    select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
      with ordinality as u(program_id, key, reservation_key, reason, now, n)
  ),
  reservation as (
    select u.n, t.id, t.debit_account_id, t.credit_account_id, t.amount_points
    from input u
    join ledger_transfers t on t.program_id = u.program_id and t.key = u.reservation_key
    where t.operation = 'reserve' and t.status = 'pending' and (t.expires_at is null or t.expires_at > u.now)
    order by t.id
    for update of t
  ),
  transfer as (
    insert into ledger_transfers
      (program_id, key, operation, debit_account_id, credit_account_id, amount_points, pending_transfer_id, status, reason)
    select u.program_id, u.key, 'post', r.debit_account_id, r.credit_account_id, r.amount_points, r.id, 'posted',
      u.reason
    from reservation r join input u on u.n = r.n
    on conflict (program_id, key) do nothing
    returning id, program_id, key, debit_account_id, credit_account_id, amount_points, pending_transfer_id
  ),
  made as (
    select u.n, t.id, t.debit_account_id, t.credit_account_id, t.amount_points as points, t.pending_transfer_id,
      u.reason
    from transfer t join input u on u.program_id = t.program_id and u.key = t.key
  ),
  entries as (
    insert into ledger_entries (transfer_id, account_id, phase, amount_points, reason)
    select m.id, case when e.on_debit then m.debit_account_id else m.credit_account_id end, e.phase,
      e.amount_points * m.points, m.reason
    from made m, (values ${postPlan.entries}) as e (on_debit, phase, amount_points)
  ),
  ${counterMoves(postPlan)}
  resolved as (
    update ledger_transfers set status = 'post_done' from made m where ledger_transfers.id = m.pending_transfer_id
  )
  select u.n, m.id as transfer_id from input u left join made m on m.n = u.n order by u.n`;

interface ReserveRow {
  n: bigint | string;
  transfer_id: bigint | null;
  expires_at: Date | null;
  points: bigint | null;
}

export async function reserveMany(db: Kysely<Database>, batch: OneStatementReserve[]): Promise<Plain[]> {
  const column = <Value>(pick: (input: OneStatementReserve) => Value) => batch.map(pick);
  const { rows } = await db.executeQuery<ReserveRow>(
    CompiledQuery.raw(reserves, [
      column((input) => input.programId),
      column((input) => input.key),
      column((input) => input.accountRef),
      column((input) => input.clearingAccountId),
      column((input) => input.points),
      column((input) => input.expiresAt),
      column((input) => input.reason),
      column((input) => input.now),
    ]),
  );
  const held = batch.map(() => [] as ReserveRow[]);
  for (const row of rows) held[Number(row.n) - 1]?.push(row);
  return held.map((lots): Plain => {
    if (lots[0]?.transfer_id == null) return undefined;
    const profile = normalizeProfile(
      lots.map((lot) => {
        assert(lot.points !== null, 'a reservation holds lots');
        return { points: lot.points, expiresAt: lot.expires_at };
      }),
    );
    return { outcome: 'done', replayed: false, expiryProfile: profile };
  });
}

export async function postMany(db: Kysely<Database>, batch: OneStatementPost[]): Promise<Plain[]> {
  const column = <Value>(pick: (input: OneStatementPost) => Value) => batch.map(pick);
  const { rows } = await db.executeQuery<{ transfer_id: bigint | null }>(
    CompiledQuery.raw(posts, [
      column((input) => input.programId),
      column((input) => input.key),
      column((input) => input.reservationKey),
      column((input) => input.reason),
      column((input) => input.now),
    ]),
  );
  if (rows.length !== batch.length) throw new Error('the posts returned a row short');
  return rows.map(
    (row): Plain => (row.transfer_id === null ? undefined : { outcome: 'done', replayed: false }),
  );
}

/** A deadlock with another process's batch: nothing was written, and each call runs alone. */
const deadlocked = (error: unknown) => (error as { code?: string }).code === '40P01';

const reserveBatcher = batcherPerPool((db) =>
  createStatementBatcher<OneStatementReserve, Plain>({
    kind: 'ledger_reserve',
    slots: 2,
    maxSize: 64,
    apart: (input) => [
      `account ${input.programId}\n${input.accountRef}`,
      `key ${input.programId}\n${input.key}`,
    ],
    run: (batch) => reserveMany(db, batch),
    runAlone: (input) => reserveInOneStatement(db, input),
    aloneAfter: deadlocked,
  }),
);

const postBatcher = batcherPerPool((db) =>
  createStatementBatcher<OneStatementPost, Plain>({
    kind: 'ledger_post',
    slots: 2,
    maxSize: 64,
    apart: (input) => [
      `reservation ${input.programId}\n${input.reservationKey}`,
      `key ${input.programId}\n${input.key}`,
    ],
    run: (batch) => postMany(db, batch),
    runAlone: (input) => postInOneStatement(db, input),
    aloneAfter: deadlocked,
  }),
);

/** reserveInOneStatement, sharing its statement with the reservations beside it. */
export function reserveWithOthers(db: Kysely<Database>, input: OneStatementReserve): Promise<Plain> {
  if (db.isTransaction) return reserveInOneStatement(db, input);
  return reserveBatcher(db).submit(input);
}

/** postInOneStatement, sharing its statement with the posts beside it. */
export function postWithOthers(db: Kysely<Database>, input: OneStatementPost): Promise<Plain> {
  if (db.isTransaction) return postInOneStatement(db, input);
  return postBatcher(db).submit(input);
}
