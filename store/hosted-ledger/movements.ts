// Hosted ledger movements: a planned movement written in one statement (the transfer, its entries,
// the counters), and the rule that runs an operation once per key.
import { type Kysely, sql, type Transaction } from 'kysely';
import { type AccountBalances, type LedgerOperationKind, planLedgerOperation } from '../../domain/ledger.ts';
import type { ExpiryProfile, LotTaken } from '../../domain/point-lots.ts';
import type { Database, LedgerTransferStatus } from '../database.ts';
import { balancesOf, type Db, lockCountedAccounts, uncounted } from './accounts.ts';
import { lotChanges, portionsOf, reservationProfile } from './lots.ts';

export type LedgerAnswer =
  /**
   * points: what the operation moved (a partial reversal moves less than it was asked).
   * expiryProfile: a reservation's, what the points it holds were made of.
   */
  | { outcome: 'done'; replayed: boolean; points?: bigint; expiryProfile?: ExpiryProfile }
  | { outcome: 'refused'; code: string; detail: string };

export interface Movement {
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
  /**
   * The lots the movement burns from the debited member account, chosen once its counters have
   * allowed the movement (under their lock); a reservation holds them.
   */
  takeLots?: (trx: Transaction<Database>) => Promise<LotTaken[]>;
}

/**
 * Writes a planned movement in one statement: the transfer, its entries, the counters of the
 * accounts that keep them and the lots it burns (or holds). One round trip instead of six, inside the
 * caller's transaction.
 */
async function writeMovement(
  trx: Transaction<Database>,
  movement: Movement,
  plan: Extract<ReturnType<typeof planLedgerOperation>, { ok: true }>,
  taken: readonly LotTaken[],
): Promise<void> {
  const entryRows = plan.entries.map(
    (entry) =>
      sql`(${entry.account === 'debit' ? movement.debitAccountId : movement.creditAccountId}::bigint, ${entry.phase}::text, ${entry.amountPoints}::bigint)`,
  );
  const lotParts = lotChanges(taken, movement.kind === 'reserve').map((part) => sql`${part},`);
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
    ${lotParts.length > 0 ? sql.join(lotParts, sql` `) : sql``}
    credit_counters as (${counters(movement.creditAccountId, plan.creditAccount)})
    select id from transfer`.execute(trx);
}

export async function move(trx: Transaction<Database>, movement: Movement): Promise<LedgerAnswer> {
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
  const taken = movement.takeLots ? await movement.takeLots(trx) : [];
  await writeMovement(trx, movement, plan, taken);
  return movement.kind === 'reserve'
    ? { outcome: 'done', replayed: false, expiryProfile: portionsOf(taken) }
    : { outcome: 'done', replayed: false };
}

export async function previousOutcome(
  db: Db,
  programId: string,
  key: string,
): Promise<LedgerAnswer | undefined> {
  const previous = await db
    .selectFrom('ledger_transfers')
    .select(['id', 'operation', 'status', 'amount_points', 'refusal_code', 'reason'])
    .where('program_id', '=', programId)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!previous) return undefined;
  if (previous.status === 'refused' && previous.refusal_code !== null)
    return { outcome: 'refused', code: previous.refusal_code, detail: previous.reason };
  if (previous.status === 'abandoned') {
    return {
      outcome: 'refused',
      code: 'operation_abandoned',
      detail: `key ${key} was declared abandoned before it arrived`,
    };
  }
  if (previous.operation === 'reserve') {
    const expiryProfile = await reservationProfile(db, previous.id);
    return { outcome: 'done', replayed: true, points: previous.amount_points, expiryProfile };
  }
  return { outcome: 'done', replayed: true, points: previous.amount_points };
}

/**
 * Runs an operation once per key: a repeat, even a concurrent one, gets the first outcome, a refusal
 * included. A refusal is final, as the partner contract asks of every partner system: decided again,
 * a take-back refused because the member had nothing could take what they earned since.
 */
export async function once(
  db: Kysely<Database>,
  programId: string,
  key: string,
  operation: (trx: Transaction<Database>) => Promise<LedgerAnswer>,
): Promise<LedgerAnswer> {
  const previous = await previousOutcome(db, programId, key);
  if (previous) return previous;
  try {
    return await db.transaction().execute(async (trx) => {
      const answer = await operation(trx);
      // With what the refusing run changed (lots it expired), in its transaction; a run of the same
      // key that wrote first makes this insert conflict, and its outcome is answered below.
      if (answer.outcome === 'refused') await keepRefusal(trx, programId, key, answer);
      return answer;
    });
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    const raced = await previousOutcome(db, programId, key);
    if (!raced) throw error;
    return raced;
  }
}

/** A refusal kept under its key: a row that moves nothing (operation `abandon`, status `refused`). */
async function keepRefusal(
  trx: Transaction<Database>,
  programId: string,
  key: string,
  refusal: Extract<LedgerAnswer, { outcome: 'refused' }>,
): Promise<void> {
  await trx
    .insertInto('ledger_transfers')
    .values({
      program_id: programId,
      key,
      operation: 'abandon',
      amount_points: 0n,
      status: 'refused',
      refusal_code: refusal.code,
      reason: refusal.detail,
    })
    .execute();
}
