// The hosted ledger's storage: each operation is one transaction that locks the accounts it touches
// in id order, applies the rules of domain/ledger.ts, and writes the transfer and its entries.
// Every operation carries a key; a repeated key returns the first outcome, and a key that was asked
// about before it arrived (see askOutcome) is refused, so a late request can never move points.
import { type Kysely, sql, type Transaction } from 'kysely';
import { assert } from '../domain/arithmetic.ts';
import {
  type AccountBalances,
  availablePoints,
  keepsCounters,
  type LedgerOperationKind,
  planLedgerOperation,
} from '../domain/ledger.ts';
import type { Database, LedgerAccount, LedgerAccountKind, LedgerTransferStatus } from './database.ts';

export type LedgerOutcome =
  | { outcome: 'done'; replayed: boolean }
  | { outcome: 'refused'; code: string; detail: string };

const issuanceRef = '__issuance__';
const clearingRef = '__alliance_clearing__';

type Db = Kysely<Database> | Transaction<Database>;

function balancesOf(account: LedgerAccount): AccountBalances {
  return {
    debitsPending: account.debits_pending,
    debitsPosted: account.debits_posted,
    creditsPending: account.credits_pending,
    creditsPosted: account.credits_posted,
    debitsMustNotExceedCredits: account.debits_must_not_exceed_credits,
    countersKept: keepsCounters(account.debits_must_not_exceed_credits),
  };
}

/** A programme's own accounts have no limit and keep no counters (see AccountBalances.countersKept). */
const uncounted: AccountBalances = {
  debitsPending: 0n,
  debitsPosted: 0n,
  creditsPending: 0n,
  creditsPosted: 0n,
  debitsMustNotExceedCredits: false,
  countersKept: false,
};

/** Ids of the programmes' own accounts, which never change once made: one look-up per process. */
const systemAccountIds = new Map<string, bigint>();

/** Member account ids, committed before they are remembered and never deleted: a bounded memo. */
const memberAccountIds = new Map<string, bigint>();
const memberAccountIdsMax = 50_000;

async function memberAccount(db: Kysely<Database>, programId: string, accountRef: string): Promise<bigint> {
  const cacheKey = `${programId} ${accountRef}`;
  const cached = memberAccountIds.get(cacheKey);
  if (cached !== undefined) return cached;
  const id = await ensureAccount(db, programId, accountRef, 'member');
  if (memberAccountIds.size >= memberAccountIdsMax) memberAccountIds.clear();
  memberAccountIds.set(cacheKey, id);
  return id;
}

/** Finds or opens an account; member accounts may never go below zero, the programme's own may. */
export async function ensureAccount(
  db: Db,
  programId: string,
  accountRef: string,
  kind: LedgerAccountKind,
): Promise<bigint> {
  const find = () =>
    db
      .selectFrom('ledger_accounts')
      .select(['id', 'kind'])
      .where('program_id', '=', programId)
      .where('account_ref', '=', accountRef)
      .executeTakeFirst();
  // Looked up first, so that finding an existing account consumes no id from the sequence.
  const row =
    (await find()) ??
    (await db
      .insertInto('ledger_accounts')
      .values({
        program_id: programId,
        account_ref: accountRef,
        kind,
        debits_must_not_exceed_credits: kind === 'member',
      })
      .onConflict((conflict) => conflict.columns(['program_id', 'account_ref']).doNothing())
      .returning(['id', 'kind'])
      .executeTakeFirst()) ??
    // Opened by a concurrent caller between the look-up and the insert.
    (await find());
  assert(row, `account ${accountRef} could not be opened`);
  assert(row.kind === kind, `account ${accountRef} is a ${row.kind} account`);
  return row.id;
}

/**
 * The programme's own account of this kind, made (and committed) outside any money transaction, so
 * that its id can be remembered for the life of the process.
 */
async function systemAccount(
  db: Kysely<Database>,
  programId: string,
  kind: 'issuance' | 'alliance_clearing',
): Promise<bigint> {
  const cacheKey = `${programId} ${kind}`;
  const cached = systemAccountIds.get(cacheKey);
  if (cached !== undefined) return cached;
  const id = await ensureAccount(db, programId, kind === 'issuance' ? issuanceRef : clearingRef, kind);
  systemAccountIds.set(cacheKey, id);
  return id;
}

/** Locks, in id order, the accounts that keep counters; the programme's own accounts are not locked. */
async function lockCountedAccounts(
  trx: Transaction<Database>,
  ids: bigint[],
): Promise<Map<bigint, LedgerAccount>> {
  const rows = await trx
    .selectFrom('ledger_accounts')
    .selectAll()
    .where('id', 'in', ids)
    .where('debits_must_not_exceed_credits', '=', true)
    .orderBy('id')
    .forUpdate()
    .execute();
  return new Map(rows.map((row) => [row.id, row]));
}

interface Movement {
  programId: string;
  key: string;
  kind: LedgerOperationKind;
  debitAccountId: bigint;
  creditAccountId: bigint;
  amountPoints: bigint;
  status: LedgerTransferStatus;
  pendingTransferId: bigint | null;
  expiresAt: Date | null;
  reason: string;
}

/**
 * Writes a planned movement in one statement: the transfer, its entries and the counters of the
 * accounts that keep them. One round trip instead of four, inside the caller's transaction.
 */
async function writeMovement(
  trx: Transaction<Database>,
  movement: Movement,
  plan: Extract<ReturnType<typeof planLedgerOperation>, { ok: true }>,
): Promise<void> {
  const entryRows = plan.entries.map(
    (entry) =>
      sql`(${entry.account === 'debit' ? movement.debitAccountId : movement.creditAccountId}::bigint, ${entry.phase}::text, ${entry.amountPoints}::bigint)`,
  );
  const counters = (id: bigint, after: AccountBalances) => sql`
    update ledger_accounts set debits_pending = ${after.debitsPending}, debits_posted = ${after.debitsPosted},
      credits_pending = ${after.creditsPending}, credits_posted = ${after.creditsPosted}
    where id = ${id} and ${after.countersKept}::boolean`;
  await sql`
    with transfer as (
      insert into ledger_transfers
        (program_id, key, operation, debit_account_id, credit_account_id, amount_points, pending_transfer_id, status, expires_at, reason)
      values (${movement.programId}, ${movement.key}, ${movement.kind}, ${movement.debitAccountId}, ${movement.creditAccountId},
        ${movement.amountPoints}, ${movement.pendingTransferId}, ${movement.status}, ${movement.expiresAt}, ${movement.reason})
      returning id
    ),
    entries as (
      insert into ledger_entries (transfer_id, account_id, phase, amount_points, reason)
      select transfer.id, entry.account_id, entry.phase, entry.amount_points, ${movement.reason}
      from transfer, (values ${sql.join(entryRows)}) as entry (account_id, phase, amount_points)
    ),
    debit_counters as (${counters(movement.debitAccountId, plan.debitAccount)}),
    credit_counters as (${counters(movement.creditAccountId, plan.creditAccount)})
    select id from transfer`.execute(trx);
}

async function move(trx: Transaction<Database>, movement: Movement): Promise<LedgerOutcome> {
  const accounts = await lockCountedAccounts(trx, [movement.debitAccountId, movement.creditAccountId]);
  const debitRow = accounts.get(movement.debitAccountId);
  const creditRow = accounts.get(movement.creditAccountId);
  const debit = debitRow ? balancesOf(debitRow) : uncounted;
  const credit = creditRow ? balancesOf(creditRow) : uncounted;
  const plan = planLedgerOperation(movement.kind, movement.amountPoints, debit, credit);
  if (!plan.ok) {
    return {
      outcome: 'refused',
      code: 'insufficient_points',
      detail: `${plan.availablePoints} points available`,
    };
  }
  await writeMovement(trx, movement, plan);
  return { outcome: 'done', replayed: false };
}

async function previousOutcome(db: Db, programId: string, key: string): Promise<LedgerOutcome | undefined> {
  const previous = await db
    .selectFrom('ledger_transfers')
    .select('status')
    .where('program_id', '=', programId)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!previous) return undefined;
  if (previous.status === 'abandoned') {
    return {
      outcome: 'refused',
      code: 'operation_abandoned',
      detail: `key ${key} was declared abandoned before it arrived`,
    };
  }
  return { outcome: 'done', replayed: true };
}

/** Runs an operation once per key: a repeat, even a concurrent one, gets the first outcome. */
async function once(
  db: Kysely<Database>,
  programId: string,
  key: string,
  operation: (trx: Transaction<Database>) => Promise<LedgerOutcome>,
): Promise<LedgerOutcome> {
  const previous = await previousOutcome(db, programId, key);
  if (previous) return previous;
  try {
    // A refusal records no transfer under its key, so that asking about the key later fences it.
    return await db.transaction().execute(operation);
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    const raced = await previousOutcome(db, programId, key);
    if (!raced) throw error;
    return raced;
  }
}

export interface CreditInput {
  programId: string;
  key: string;
  accountRef: string;
  points: bigint;
  reason: string;
}

/**
 * Credits a member from the programme's issuance account (points earned, or arriving by transfer).
 * A credit cannot overdraw anything, so it needs no lock and no read of the balance: the transfer,
 * its entries and the member's counters are one statement. A repeated key inserts nothing and is
 * answered from the first operation.
 */
export async function creditPoints(db: Kysely<Database>, input: CreditInput): Promise<LedgerOutcome> {
  const issuance = await systemAccount(db, input.programId, 'issuance');
  // The account must exist before the statement: rows a statement inserts are not seen by its own update.
  const member = await memberAccount(db, input.programId, input.accountRef);
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
    )
    select id from transfer`.execute(db);
  if (result.rows.length === 1) return { outcome: 'done', replayed: false };
  const previous = await previousOutcome(db, input.programId, input.key);
  assert(previous, `credit ${input.key} neither took effect nor exists`);
  return previous;
}

export interface ReserveInput extends CreditInput {
  expiresAt: Date;
}

/** Holds a member's points for a transfer out (a pending debit); they are not gone until posted. */
export async function reservePoints(db: Kysely<Database>, input: ReserveInput): Promise<LedgerOutcome> {
  const clearing = await systemAccount(db, input.programId, 'alliance_clearing');
  return once(db, input.programId, input.key, async (trx) => {
    const member = await trx
      .selectFrom('ledger_accounts')
      .select('id')
      .where('program_id', '=', input.programId)
      .where('account_ref', '=', input.accountRef)
      .where('kind', '=', 'member')
      .executeTakeFirst();
    if (!member)
      return { outcome: 'refused', code: 'account_unknown', detail: `no account ${input.accountRef}` };
    await expireOverdueReservations(trx, { debitAccountId: member.id });
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
): Promise<LedgerOutcome> {
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
  await trx.updateTable('ledger_transfers').set({ status }).where('id', '=', reservation.id).execute();
  return outcome;
}

/** Makes a reservation final. An expired reservation cannot be posted: its points went back. */
export function postReservation(
  db: Kysely<Database>,
  input: ResolveInput,
  now = new Date(),
): Promise<LedgerOutcome> {
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
export function voidReservation(db: Kysely<Database>, input: ResolveInput): Promise<LedgerOutcome> {
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

/** Takes back a credit (from the member to the issuance account), if the member still has the points. */
export function reverseCredit(
  db: Kysely<Database>,
  input: { programId: string; key: string; creditKey: string; reason: string },
): Promise<LedgerOutcome> {
  return once(db, input.programId, input.key, async (trx) => {
    const credit = await trx
      .selectFrom('ledger_transfers')
      .selectAll()
      .where('program_id', '=', input.programId)
      .where('key', '=', input.creditKey)
      .where('operation', '=', 'credit')
      .forUpdate()
      .executeTakeFirst();
    if (!credit) return { outcome: 'done', replayed: false };
    if (credit.status === 'reversed') return { outcome: 'done', replayed: true };
    assert(credit.debit_account_id !== null && credit.credit_account_id !== null, 'a credit has accounts');
    const outcome = await move(trx, {
      programId: input.programId,
      key: input.key,
      kind: 'reverse_credit',
      debitAccountId: credit.credit_account_id,
      creditAccountId: credit.debit_account_id,
      amountPoints: credit.amount_points,
      status: 'posted',
      pendingTransferId: credit.id,
      expiresAt: null,
      reason: input.reason,
    });
    if (outcome.outcome === 'done') {
      await trx
        .updateTable('ledger_transfers')
        .set({ status: 'reversed' })
        .where('id', '=', credit.id)
        .execute();
    }
    return outcome;
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
  return row.status === 'abandoned' ? 'abandoned' : 'succeeded';
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

export interface AccountBalance {
  accountRef: string;
  availablePoints: bigint;
  postedPoints: bigint;
  pendingDebitPoints: bigint;
}

export async function readBalance(
  db: Db,
  programId: string,
  accountRef: string,
): Promise<AccountBalance | undefined> {
  const account = await db
    .selectFrom('ledger_accounts')
    .selectAll()
    .where('program_id', '=', programId)
    .where('account_ref', '=', accountRef)
    .executeTakeFirst();
  if (!account) return undefined;
  return {
    accountRef,
    availablePoints: availablePoints(balancesOf(account)),
    postedPoints: account.credits_posted - account.debits_posted,
    pendingDebitPoints: account.debits_pending,
  };
}

export interface LedgerCheck {
  /** The sum of every entry ever written: zero, always. */
  entriesSum: bigint;
  /** Accounts keeping counters whose counters disagree with their entries: none, always. */
  accountsOutOfBalance: bigint[];
}

/** The invariant check exposed to operators and run by the tests. */
export async function checkLedger(db: Db): Promise<LedgerCheck> {
  const total = await db
    .selectFrom('ledger_entries')
    .select(sql<bigint>`coalesce(sum(amount_points), 0)::int8`.as('sum'))
    .executeTakeFirstOrThrow();
  const mismatched = await sql<{ id: bigint }>`
    select a.id from ledger_accounts a
    left join (
      select account_id,
        coalesce(sum(amount_points) filter (where phase = 'pending'), 0) as pending,
        coalesce(sum(amount_points) filter (where phase = 'posted'), 0) as posted
      from ledger_entries group by account_id
    ) e on e.account_id = a.id
    where a.debits_must_not_exceed_credits
      and (coalesce(e.pending, 0) <> a.credits_pending - a.debits_pending
        or coalesce(e.posted, 0) <> a.credits_posted - a.debits_posted)`.execute(db);
  return { entriesSum: total.sum, accountsOutOfBalance: mismatched.rows.map((row) => row.id) };
}

export interface LedgerTransaction {
  key: string;
  operation: 'reserve' | 'post' | 'void' | 'credit' | 'reverse';
  accountRef: string | null;
  points: bigint;
  status: string;
  at: Date;
}

const operationNames = {
  reserve: 'reserve',
  post: 'post',
  void: 'void',
  credit: 'credit',
  reverse_credit: 'reverse',
} as const;

/** A programme's operations in [from, to), oldest first, as a partner system would report them. */
export async function listLedgerTransactions(
  db: Db,
  input: { programId: string; from: Date; to: Date; limit: number },
): Promise<LedgerTransaction[]> {
  const rows = await db
    .selectFrom('ledger_transfers as t')
    .leftJoin('ledger_accounts as member', (join) =>
      join
        .on('member.kind', '=', 'member')
        .on((eb) =>
          eb.or([
            eb('member.id', '=', eb.ref('t.debit_account_id')),
            eb('member.id', '=', eb.ref('t.credit_account_id')),
          ]),
        ),
    )
    .select(['t.key', 't.operation', 't.amount_points', 't.status', 't.created_at', 'member.account_ref'])
    .where('t.program_id', '=', input.programId)
    .where('t.operation', '!=', 'abandon')
    .where('t.created_at', '>=', input.from)
    .where('t.created_at', '<', input.to)
    .orderBy('t.created_at')
    .orderBy('t.id')
    .limit(input.limit)
    .execute();
  return rows.map((row) => ({
    key: row.key,
    operation: operationNames[row.operation as keyof typeof operationNames],
    accountRef: row.account_ref,
    points: row.amount_points,
    status: row.status,
    at: row.created_at,
  }));
}
