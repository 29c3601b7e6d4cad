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

/**
 * The cycle lock taken shared, until the transaction ends, as an expression: a statement after the
 * one that takes it reads the cycle that stays open until it commits (`openCycleId`). A writer that
 * locks rows of its own first takes it in the same statement, after them (store/transfers.ts).
 */
export const openCycleSharedLock = sql`pg_advisory_xact_lock_shared(${cycleLockKey})`;

/** The open cycle's id, as an expression for a statement run after the one that took the lock. */
export const openCycleId = sql<string>`(select id from settlement_cycles where status = 'open')`;

/** Writes obligations into the open cycle, inside the caller's transaction; a repeat writes nothing. */
export async function insertObligations(
  trx: Transaction<Database>,
  obligations: NewObligation[],
): Promise<void> {
  if (obligations.length === 0) return;
  await sql`select ${openCycleSharedLock}`.execute(trx);
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
        cycle_id: openCycleId,
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
      // Counted by the netting's GROUP BY, which reads every obligation anyway: a count here would
      // be a second pass over the cycle. Nothing can join a sealed cycle, so that count is this one.
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

/**
 * The cycle's obligations summed per currency and ordered pair, the alliance as the party
 * `alliance`, and how many obligations the cycle holds, in one pass. What a partner owes itself (an
 * agreement between two of its own programmes) or a pair whose obligations are all zero moves no
 * money: counted, but no sum. A zero obligation beside others of its pair is counted with them, as
 * the statement's lines list it.
 *
 * A plain select with the aggregates of a bare GROUP BY (no FILTER, no expression per row: each
 * costs a little on each of the million rows), so PostgreSQL may scan in parallel; an insert …
 * select (or a writing CTE) never runs in parallel, and measured slower than this select and an
 * insert of the few thousand sums.
 */
export async function grossSums(
  db: Kysely<Database>,
  cycleId: string,
): Promise<{ gross: GrossSum[]; obligationCount: bigint }> {
  const { rows } = await sql<{
    currency: string;
    debtorId: string;
    creditorId: string | null;
    amountMinor: bigint;
    obligations: bigint;
  }>`select currency, debtor_partner_id as "debtorId", creditor_partner_id as "creditorId",
      sum(amount_minor)::int8 as "amountMinor", count(*)::int8 as obligations
    from settlement_obligations
    where cycle_id = ${cycleId}
    group by currency, debtor_partner_id, creditor_partner_id`.execute(db);
  let obligationCount = 0n;
  const gross: GrossSum[] = [];
  for (const row of rows) {
    obligationCount += row.obligations;
    if (row.creditorId === row.debtorId || row.amountMinor === 0n) continue;
    gross.push({
      currency: row.currency,
      debtorId: row.debtorId,
      creditorId: row.creditorId ?? 'alliance',
      amountMinor: row.amountMinor,
      obligationCount: row.obligations,
    });
  }
  return { gross, obligationCount };
}

/** Locks a sealed cycle to net it; `netted` when its gross sums are stored already (a second call). */
export async function lockCycleToNet(
  trx: Transaction<Database>,
  cycleId: string,
): Promise<{ cycle: SettlementCycle; netted: boolean }> {
  const cycle = await trx
    .selectFrom('settlement_cycles')
    .selectAll()
    .where('id', '=', cycleId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  // The netting stores the count with its result: a cycle with no obligations has no gross sums, and
  // is netted all the same.
  return { cycle, netted: cycle.obligation_count !== null };
}

/**
 * Cycles sealed before `closedBefore` and never netted (a close stopped between its seal and its
 * netting), oldest first, after the cursor (a cycle id).
 */
export function listUnnettedCycles(
  db: Kysely<Database>,
  input: { closedBefore: Date; afterId: string | null; limit: number },
): Promise<{ id: string; period_label: string | null }[]> {
  let query = db
    .selectFrom('settlement_cycles')
    .select(['id', 'period_label'])
    .where('status', '=', 'closed')
    .where('obligation_count', 'is', null)
    .where('closed_at', '<', input.closedBefore)
    .orderBy('id')
    .limit(input.limit);
  if (input.afterId) query = query.where('id', '>', input.afterId);
  return query.execute();
}

/** Stores a cycle's gross sums in one insert of arrays (rather than a parameter per value). */
export async function insertGrossSums(
  trx: Transaction<Database>,
  cycleId: string,
  gross: readonly GrossSum[],
): Promise<void> {
  if (gross.length === 0) return;
  const column = <T>(pick: (sum: GrossSum) => T) => gross.map(pick);
  await sql`insert into settlement_gross (cycle_id, currency, debtor_id, creditor_id, amount_minor, obligation_count)
    select ${cycleId}, * from unnest(${column((sum) => sum.currency)}::text[],
      ${column((sum) => sum.debtorId)}::text[], ${column((sum) => sum.creditorId)}::text[],
      ${column((sum) => String(sum.amountMinor))}::int8[], ${column((sum) => String(sum.obligationCount))}::int8[])`.execute(
    trx,
  );
}

export interface CycleResult {
  obligationCount: bigint;
  positions: Omit<SettlementPosition, 'cycle_id'>[];
  instructions: Omit<SettlementInstruction, 'cycle_id' | 'status' | 'payment_reference' | 'paid_at'>[];
}

/**
 * Stores what netting made of a closed cycle, in the caller's transaction (under lockCycleToNet):
 * positions, instructions and its obligation count; the cycle is settled at once when nothing is
 * left to pay.
 */
export async function storeCycleResult(
  trx: Transaction<Database>,
  cycleId: string,
  result: CycleResult,
): Promise<void> {
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
  await trx
    .updateTable('settlement_cycles')
    .set({
      obligation_count: result.obligationCount,
      ...(result.instructions.length === 0
        ? { status: 'settled', settled_at: sql`coalesce(settled_at, now())` }
        : {}),
    })
    .where('id', '=', cycleId)
    .execute();
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
  // The cycle's lock puts the payments of its instructions in turn: two paid at once would each see
  // the other still open, and neither would settle the cycle, which nothing would then settle.
  await trx
    .selectFrom('settlement_cycles')
    .select('id')
    .where('id', '=', instruction.cycle_id)
    .forUpdate()
    .execute();
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
