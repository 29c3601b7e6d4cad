// Settlement as stored: obligations written into the open cycle, the close that seals it, and the
// gross sums, positions and payment instructions of a closed cycle.
//
// Exactly once, by commit order: a writer takes a shared advisory lock, then reads which cycle is
// open and writes its obligations there, holding the lock until it commits. The close takes the
// same lock exclusively, so it waits for every writer already inside a cycle to commit, seals that
// cycle and opens the next; a writer that arrives meanwhile waits, then sees the next cycle. So every
// obligation lands in exactly one cycle, and a closed cycle can never gain one.
import { type Kysely, sql, type Transaction } from 'kysely';
import type {
  Database,
  ObligationKind,
  SettlementCycle,
  SettlementInstruction,
  SettlementPosition,
} from './database.ts';

const cycleLockKey = sql`hashtext('settlement_cycle')`;

export interface NewObligation {
  sourceId: string;
  transferId: string | null;
  kind: ObligationKind;
  debtorPartnerId: string;
  /** Null when the alliance itself is owed. */
  creditorPartnerId: string | null;
  amountMinor: bigint;
  currency: string;
}

/** Writes obligations into the open cycle, inside the caller's transaction; a repeat writes nothing. */
export async function insertObligations(
  trx: Transaction<Database>,
  obligations: NewObligation[],
): Promise<void> {
  if (obligations.length === 0) return;
  await sql`select pg_advisory_xact_lock_shared(${cycleLockKey})`.execute(trx);
  await trx
    .insertInto('settlement_obligations')
    .values(
      obligations.map((obligation) => ({
        source_id: obligation.sourceId,
        transfer_id: obligation.transferId,
        kind: obligation.kind,
        debtor_partner_id: obligation.debtorPartnerId,
        creditor_partner_id: obligation.creditorPartnerId,
        amount_minor: obligation.amountMinor,
        currency: obligation.currency,
        cycle_id: sql<string>`(select id from settlement_cycles where status = 'open')`,
      })),
    )
    .onConflict((conflict) => conflict.columns(['source_id', 'kind']).doNothing())
    .execute();
}

/**
 * Seals the open cycle under this period's label and opens the next, unless a cycle already has the
 * label (a second trigger of the same period): either way, the cycle of that label.
 */
export async function sealOpenCycle(
  trx: Transaction<Database>,
  input: { periodLabel: string; nextCycleId: string; at: Date },
): Promise<SettlementCycle> {
  await sql`select pg_advisory_xact_lock(${cycleLockKey})`.execute(trx);
  const done = await trx
    .selectFrom('settlement_cycles')
    .selectAll()
    .where('period_label', '=', input.periodLabel)
    .executeTakeFirst();
  if (done) return done;
  const sealed = await trx
    .updateTable('settlement_cycles')
    .set({
      status: 'closed',
      period_label: input.periodLabel,
      closed_at: input.at,
      obligation_count: sql<bigint>`(select count(*) from settlement_obligations o where o.cycle_id = settlement_cycles.id)`,
    })
    .where('status', '=', 'open')
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx.insertInto('settlement_cycles').values({ id: input.nextCycleId, status: 'open' }).execute();
  return sealed;
}

export interface GrossSum {
  currency: string;
  debtorId: string;
  creditorId: string;
  amountMinor: bigint;
  obligationCount: bigint;
}

/** The cycle's obligations summed per currency and ordered pair; the alliance is the party `alliance`. */
export async function grossSums(db: Kysely<Database>, cycleId: string): Promise<GrossSum[]> {
  const rows = await db
    .selectFrom('settlement_obligations')
    .select((eb) => [
      'currency',
      'debtor_partner_id as debtorId',
      eb.fn.coalesce('creditor_partner_id', sql.lit('alliance')).as('creditorId'),
      sql<bigint>`sum(amount_minor)::int8`.as('amountMinor'),
      sql<bigint>`count(*)::int8`.as('obligationCount'),
    ])
    .where('cycle_id', '=', cycleId)
    // What a partner owes itself (an agreement between two of its own programmes) or a zero moves no money.
    .where((eb) =>
      eb('creditor_partner_id', 'is', null).or('creditor_partner_id', '!=', eb.ref('debtor_partner_id')),
    )
    .where('amount_minor', '>', 0n)
    .groupBy(['currency', 'debtor_partner_id', 'creditor_partner_id'])
    .execute();
  return rows.map((row) => ({ ...row, creditorId: String(row.creditorId) }));
}

export interface CycleResult {
  gross: GrossSum[];
  positions: Omit<SettlementPosition, 'cycle_id'>[];
  instructions: Omit<SettlementInstruction, 'cycle_id' | 'status' | 'payment_reference' | 'paid_at'>[];
}

/** Stores what netting made of a closed cycle, once: a second call for the same cycle writes nothing. */
export async function storeCycleResult(
  trx: Transaction<Database>,
  cycleId: string,
  result: CycleResult,
): Promise<boolean> {
  const cycle = await trx
    .selectFrom('settlement_cycles')
    .select('id')
    .where('id', '=', cycleId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const already = await trx
    .selectFrom('settlement_positions')
    .select('party_id')
    .where('cycle_id', '=', cycle.id)
    .limit(1)
    .executeTakeFirst();
  if (already) return false;
  if (result.gross.length > 0) {
    await trx
      .insertInto('settlement_gross')
      .values(
        result.gross.map((sum) => ({
          cycle_id: cycleId,
          currency: sum.currency,
          debtor_id: sum.debtorId,
          creditor_id: sum.creditorId,
          amount_minor: sum.amountMinor,
          obligation_count: sum.obligationCount,
        })),
      )
      .execute();
  }
  if (result.positions.length > 0) {
    await trx
      .insertInto('settlement_positions')
      .values(result.positions.map((position) => ({ ...position, cycle_id: cycleId })))
      .execute();
  }
  if (result.instructions.length > 0) {
    await trx
      .insertInto('settlement_instructions')
      .values(
        result.instructions.map((instruction) => ({ ...instruction, cycle_id: cycleId, status: 'open' })),
      )
      .execute();
  }
  if (result.instructions.length === 0) {
    await trx
      .updateTable('settlement_cycles')
      .set({ status: 'settled', settled_at: sql`now()` })
      .where('id', '=', cycleId)
      .execute();
  }
  return true;
}

export async function findCycle(db: Kysely<Database>, cycleId: string): Promise<SettlementCycle | undefined> {
  return db.selectFrom('settlement_cycles').selectAll().where('id', '=', cycleId).executeTakeFirst();
}

/** Cycles, newest first, after the cursor (a cycle id). */
export async function listCycles(
  db: Kysely<Database>,
  input: { cursor: string | null; limit: number },
): Promise<SettlementCycle[]> {
  let query = db.selectFrom('settlement_cycles').selectAll().orderBy('id', 'desc').limit(input.limit);
  if (input.cursor) query = query.where('id', '<', input.cursor);
  return query.execute();
}

/** A cycle's positions, of one party or of all. */
export async function listPositions(
  db: Kysely<Database>,
  input: { cycleId: string; partyId: string | null },
): Promise<SettlementPosition[]> {
  let query = db
    .selectFrom('settlement_positions')
    .selectAll()
    .where('cycle_id', '=', input.cycleId)
    .orderBy('currency')
    .orderBy('party_id');
  if (input.partyId) query = query.where('party_id', '=', input.partyId);
  return query.execute();
}

/** A cycle's instructions after the cursor, of one party (as payer or payee) or of all. */
export async function listInstructions(
  db: Kysely<Database>,
  input: { cycleId: string; partyId: string | null; cursor: string | null; limit: number },
): Promise<SettlementInstruction[]> {
  let query = db
    .selectFrom('settlement_instructions')
    .selectAll()
    .where('cycle_id', '=', input.cycleId)
    .orderBy('id')
    .limit(input.limit);
  const partyId = input.partyId;
  if (partyId)
    query = query.where((eb) => eb.or([eb('payer_id', '=', partyId), eb('payee_id', '=', partyId)]));
  if (input.cursor) query = query.where('id', '>', input.cursor);
  return query.execute();
}

/**
 * Marks an instruction paid with its payment reference (a repeat with the same reference changes
 * nothing), and the cycle settled once none is left open. Undefined when there is no such instruction.
 */
export async function markInstructionPaid(
  trx: Transaction<Database>,
  input: { instructionId: string; paymentReference: string; at: Date },
): Promise<SettlementInstruction | undefined> {
  const instruction = await trx
    .selectFrom('settlement_instructions')
    .selectAll()
    .where('id', '=', input.instructionId)
    .forUpdate()
    .executeTakeFirst();
  if (!instruction || instruction.status === 'paid') return instruction;
  const paid = await trx
    .updateTable('settlement_instructions')
    .set({ status: 'paid', payment_reference: input.paymentReference, paid_at: input.at })
    .where('id', '=', input.instructionId)
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx
    .updateTable('settlement_cycles')
    .set({ status: 'settled', settled_at: input.at })
    .where('id', '=', instruction.cycle_id)
    .where('status', '=', 'closed')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('settlement_instructions')
            .select('id')
            .where('cycle_id', '=', instruction.cycle_id)
            .where('status', '=', 'open'),
        ),
      ),
    )
    .execute();
  return paid;
}

/** Every obligation of a cycle that the partner is party to, oldest first; the alliance as `alliance`. */
export async function listPartyObligations(
  db: Kysely<Database>,
  input: { cycleId: string; partnerId: string },
) {
  return db
    .selectFrom('settlement_obligations')
    .select((eb) => [
      'id',
      'kind',
      'source_id',
      'debtor_partner_id',
      eb.fn.coalesce('creditor_partner_id', sql.lit('alliance')).as('creditor_id'),
      'amount_minor',
      'currency',
      'created_at',
    ])
    .where('cycle_id', '=', input.cycleId)
    .where((eb) =>
      eb.or([eb('debtor_partner_id', '=', input.partnerId), eb('creditor_partner_id', '=', input.partnerId)]),
    )
    .orderBy('id')
    .execute();
}
