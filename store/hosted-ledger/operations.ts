// The hosted ledger's storage: each operation is one transaction that locks the accounts it touches
// in id order, applies the rules of domain/ledger.ts, and writes the transfer and its entries.
// Every operation carries a key; a repeated key returns the first outcome, and a key that was asked
// about before it arrived (see askOutcome) is refused, so a late request can never move points.
// A plain reservation or post is tried first as one statement (one-statement.ts), shared with the
// calls beside it under load (one-statement-batch.ts); whatever that leaves undone takes the
// transactional path here.
import { type Kysely, sql, type Transaction } from 'kysely';
import { assert } from '../../domain/arithmetic.ts';
import { planLedgerOperation } from '../../domain/ledger.ts';
import { creditLots, type ExpiryPortion, lotExpiry } from '../../domain/point-lots.ts';
import type { Database } from '../database.ts';
import { type LedgerAccountIds, lockCountedAccounts, uncounted } from './accounts.ts';
import { expireAccountLotsWithNotice } from './expiry.ts';
import { lotValues, returnHeldLots, takeLots } from './lots.ts';
import { type LedgerAnswer, move, once, previousOutcome } from './movements.ts';
import { postWithOthers, reserveWithOthers } from './one-statement-batch.ts';

export interface CreditInput {
  programId: string;
  key: string;
  accountRef: string;
  points: bigint;
  reason: string;
}

export interface CreditLotInput extends CreditInput {
  /**
   * What the points were paid with (a transfer's source reservation): each portion's share expires no
   * later than it did there, nor later than the programme's own rule gives. Absent: the rule alone.
   */
  carriedExpiry?: readonly ExpiryPortion[] | undefined;
  /** When the points are earned, for the programme's rule. */
  now?: Date;
}

/**
 * Credits a member from the programme's issuance account (points earned, or arriving by transfer).
 * A credit cannot overdraw anything, so it needs no lock and no read of the balance: the transfer,
 * its entries and the member's counters are one statement. A repeated key inserts nothing and is
 * answered from the first operation.
 */
export async function creditPoints(
  db: Kysely<Database>,
  accountIds: LedgerAccountIds,
  input: CreditLotInput,
): Promise<LedgerAnswer> {
  const lots = creditLots({
    points: input.points,
    ruleExpiry: lotExpiry(await accountIds.expiryRule(db, input.programId), input.now ?? new Date()),
    carried: input.carriedExpiry,
  });
  const issuance = await accountIds.system(db, input.programId, 'issuance');
  // The account must exist before the statement: rows a statement inserts are not seen by its own update.
  const member = await accountIds.member(db, input.programId, input.accountRef);
  // The rule from domain/ledger.ts, applied to zero counters: its result is the change to make.
  const plan = planLedgerOperation('credit', input.points, uncounted, {
    ...uncounted,
    debitsMustNotExceedCredits: true,
    countersKept: true,
  });
  assert(plan.ok, 'a credit is never refused');
  const delta = plan.creditAccount;
  const entryRows = plan.entries.map((entry) =>
    entry.account === 'debit'
      ? sql`(${issuance}::bigint, ${entry.phase}::text, ${entry.amountPoints}::bigint)`
      : sql`(${member}::bigint, ${entry.phase}::text, ${entry.amountPoints}::bigint)`,
  );
  const result = await sql<{ id: bigint }>`
    with
    transfer as (
      insert into ledger_transfers (program_id, key, operation, debit_account_id, credit_account_id, amount_points, status, reason)
      values (${input.programId}, ${input.key}, 'credit', ${issuance}, ${member}, ${input.points}, 'posted', ${input.reason})
      on conflict (program_id, key) do nothing
      returning id, credit_account_id
    ),
    entries as (
      insert into ledger_entries (transfer_id, account_id, phase, amount_points, reason)
      select transfer.id, entry.account_id, entry.phase, entry.amount_points, ${input.reason}
      from transfer, (values ${sql.join(entryRows)}) as entry (account_id, phase, amount_points)
    ),
    counters as (
      update ledger_accounts set credits_posted = credits_posted + ${delta.creditsPosted}
      where id = (select credit_account_id from transfer)
    ),
    lots as (
      insert into ledger_lots (account_id, credit_transfer_id, expires_at, points, remaining_points)
      select transfer.credit_account_id, transfer.id, lot.expires_at, lot.points, lot.points
      from transfer, (values ${lotValues(lots)}) as lot (expires_at, points)
    )
    select id from transfer`.execute(db);
  if (result.rows.length === 1) return { outcome: 'done', replayed: false };
  const previous = await previousOutcome(db, input.programId, input.key);
  assert(previous, `credit ${input.key} neither took effect nor exists`);
  return previous;
}

export interface ReserveInput extends CreditInput {
  expiresAt: Date;
  /** The instant lots and reservations past their end are expired against. */
  now?: Date;
}

/**
 * Holds a member's points for a transfer out (a pending debit); they are not gone until posted. The
 * soonest-expiring lots are held first; the answer says what they were made of.
 */
export async function reservePoints(
  db: Kysely<Database>,
  accountIds: LedgerAccountIds,
  input: ReserveInput,
): Promise<LedgerAnswer> {
  const clearing = await accountIds.system(db, input.programId, 'alliance_clearing');
  const now = input.now ?? new Date();
  const plain = await reserveWithOthers(db, { ...input, clearingAccountId: clearing, now });
  if (plain) return plain;
  const issuance = await accountIds.system(db, input.programId, 'issuance');
  return once(db, input.programId, input.key, async (trx) => {
    // What is past its end goes first: points expire at their instant, whenever the Schedule runs.
    // Overdue reservations first (each locked before the member, the order every resolution takes),
    // since they give their points back to the lots they held, which may have ended meanwhile. Then,
    // under the member's lock (no void can give points back after it), the lots past their end.
    const member = await trx
      .selectFrom('ledger_accounts as account')
      .select((eb) => [
        'account.id',
        eb
          .exists(
            eb
              .selectFrom('ledger_transfers')
              .select('id')
              .whereRef('debit_account_id', '=', 'account.id')
              .where('status', '=', 'pending')
              .where('expires_at', '<=', now),
          )
          .as('reservations_due'),
      ])
      .where('account.program_id', '=', input.programId)
      .where('account.account_ref', '=', input.accountRef)
      .where('account.kind', '=', 'member')
      .executeTakeFirst();
    if (!member)
      return { outcome: 'refused', code: 'account_unknown', detail: `no account ${input.accountRef}` };
    if (member.reservations_due) await expireOverdueReservations(trx, { debitAccountId: member.id, now });
    await lockCountedAccounts(trx, [member.id]);
    const account = { accountId: member.id, programId: input.programId, accountRef: input.accountRef };
    await expireAccountLotsWithNotice(trx, { account, issuanceAccountId: issuance, now });
    return move(trx, {
      programId: input.programId,
      key: input.key,
      kind: 'reserve',
      debitAccountId: member.id,
      creditAccountId: clearing,
      amountPoints: input.points,
      status: 'pending',
      pendingTransferId: null,
      expiresAt: input.expiresAt,
      reason: input.reason,
      takeLots: (trx) => takeLots(trx, member.id, input.points),
    });
  });
}

export interface ResolveInput {
  programId: string;
  key: string;
  reservationKey: string;
  reason: string;
}

async function lockReservation(trx: Transaction<Database>, programId: string, reservationKey: string) {
  return trx
    .selectFrom('ledger_transfers')
    .selectAll()
    .where('program_id', '=', programId)
    .where('key', '=', reservationKey)
    .where('operation', '=', 'reserve')
    .forUpdate()
    .executeTakeFirst();
}

async function resolveReservation(
  trx: Transaction<Database>,
  reservation: NonNullable<Awaited<ReturnType<typeof lockReservation>>>,
  input: ResolveInput,
  kind: 'post' | 'void',
  status: 'post_done' | 'voided' | 'expired',
): Promise<LedgerAnswer> {
  assert(
    reservation.debit_account_id !== null && reservation.credit_account_id !== null,
    'a reservation has accounts',
  );
  const outcome = await move(trx, {
    programId: input.programId,
    key: input.key,
    kind,
    debitAccountId: reservation.debit_account_id,
    creditAccountId: reservation.credit_account_id,
    amountPoints: reservation.amount_points,
    status: 'posted',
    pendingTransferId: reservation.id,
    expiresAt: null,
    reason: input.reason,
  });
  assert(outcome.outcome === 'done', 'resolving a reservation cannot be refused');
  // A post keeps the held lots burnt; anything else gives them back.
  if (kind === 'void') await returnHeldLots(trx, reservation.id);
  await trx.updateTable('ledger_transfers').set({ status }).where('id', '=', reservation.id).execute();
  return outcome;
}

/** Makes a reservation final. An expired reservation cannot be posted: its points went back. */
export async function postReservation(
  db: Kysely<Database>,
  input: ResolveInput,
  now = new Date(),
): Promise<LedgerAnswer> {
  const plain = await postWithOthers(db, { ...input, now });
  if (plain) return plain;
  return once(db, input.programId, input.key, async (trx) => {
    const reservation = await lockReservation(trx, input.programId, input.reservationKey);
    if (!reservation)
      return {
        outcome: 'refused',
        code: 'reservation_unknown',
        detail: `no reservation ${input.reservationKey}`,
      };
    if (reservation.status === 'post_done') {
      return {
        outcome: 'refused',
        code: 'reservation_not_pending',
        detail: 'already posted under another key',
      };
    }
    if (
      reservation.status === 'pending' &&
      reservation.expires_at !== null &&
      reservation.expires_at <= now
    ) {
      await resolveReservation(
        trx,
        reservation,
        { ...input, key: `${input.reservationKey}:expiry` },
        'void',
        'expired',
      );
      return {
        outcome: 'refused',
        code: 'reservation_expired',
        detail: 'the reservation expired; its points were released',
      };
    }
    if (reservation.status !== 'pending') {
      return {
        outcome: 'refused',
        code: 'reservation_not_pending',
        detail: `the reservation is ${reservation.status}`,
      };
    }
    return resolveReservation(trx, reservation, input, 'post', 'post_done');
  });
}

/** Releases a reservation's points. Voiding one that already expired or was voided changes nothing. */
export function voidReservation(db: Kysely<Database>, input: ResolveInput): Promise<LedgerAnswer> {
  return once(db, input.programId, input.key, async (trx) => {
    const reservation = await lockReservation(trx, input.programId, input.reservationKey);
    if (!reservation) return { outcome: 'done', replayed: false };
    if (reservation.status === 'voided' || reservation.status === 'expired')
      return { outcome: 'done', replayed: true };
    if (reservation.status !== 'pending') {
      return {
        outcome: 'refused',
        code: 'reservation_not_pending',
        detail: `the reservation is ${reservation.status}`,
      };
    }
    return resolveReservation(trx, reservation, input, 'void', 'voided');
  });
}

/**
 * What became of the operation with this key. A key never seen is recorded as abandoned, so that
 * the request, should it still arrive, is refused: the asker can then safely compensate.
 */
export async function askOutcome(
  db: Kysely<Database>,
  programId: string,
  key: string,
): Promise<'succeeded' | 'abandoned'> {
  await db
    .insertInto('ledger_transfers')
    .values({
      program_id: programId,
      key,
      operation: 'abandon',
      amount_points: 0n,
      status: 'abandoned',
      reason: 'asked before it arrived',
    })
    .onConflict((conflict) => conflict.columns(['program_id', 'key']).doNothing())
    .execute();
  const row = await db
    .selectFrom('ledger_transfers')
    .select('status')
    .where('program_id', '=', programId)
    .where('key', '=', key)
    .executeTakeFirstOrThrow();
  // A refused key never took effect, and its refusal is final: as good as abandoned.
  return row.status === 'abandoned' || row.status === 'refused' ? 'abandoned' : 'succeeded';
}

/** Voids reservations whose time ran out, releasing their points; all of them, or one account's. */
export async function expireOverdueReservations(
  db: Kysely<Database>,
  scope: { debitAccountId?: bigint; now?: Date; batchSizeMax?: number } = {},
): Promise<number> {
  const run = async (trx: Transaction<Database>) => {
    let query = trx
      .selectFrom('ledger_transfers')
      .select(['program_id', 'key'])
      .where('status', '=', 'pending')
      .where('expires_at', '<=', scope.now ?? new Date())
      .limit(scope.batchSizeMax ?? 500);
    if (scope.debitAccountId !== undefined)
      query = query.where('debit_account_id', '=', scope.debitAccountId);
    const overdue = await query.execute();
    for (const row of overdue) {
      const reservation = await lockReservation(trx, row.program_id, row.key);
      if (reservation?.status !== 'pending') continue;
      const input = {
        programId: row.program_id,
        key: `${row.key}:expiry`,
        reservationKey: row.key,
        reason: 'reservation expired',
      };
      await resolveReservation(trx, reservation, input, 'void', 'expired');
    }
    return overdue.length;
  };
  return db.isTransaction ? run(db as Transaction<Database>) : db.transaction().execute(run);
}
