// Settlement statements as stored: the signed statements issued at a cycle's close, and what a
// partner's statement and its lines are read from.
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.ts';

/** Every partner of the alliance (each gets a statement at a close, party to the cycle or not). */
export async function listPartnerIds(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('partners').select('id').orderBy('id').execute();
  return rows.map((row) => row.id);
}

/** Stores statements as issued; one already stored for the partner and cycle is kept, never replaced. */
export async function insertStatements(
  db: Kysely<Database>,
  statements: { cycleId: string; partnerId: string; jws: string }[],
): Promise<void> {
  if (statements.length === 0) return;
  // A parameter per value: a JWS needs no escaping that way, where an array literal would.
  await db
    .insertInto('settlement_statements')
    .values(
      statements.map((statement) => ({
        cycle_id: statement.cycleId,
        partner_id: statement.partnerId,
        jws: statement.jws,
      })),
    )
    .onConflict((conflict) => conflict.columns(['cycle_id', 'partner_id']).doNothing())
    .execute();
}

/** The signed statement issued to the partner for the cycle (a compact JWS). */
export async function findStatement(
  db: Kysely<Database>,
  input: { cycleId: string; partnerId: string },
): Promise<string | undefined> {
  const row = await db
    .selectFrom('settlement_statements')
    .select('jws')
    .where('cycle_id', '=', input.cycleId)
    .where('partner_id', '=', input.partnerId)
    .executeTakeFirst();
  return row?.jws;
}

/** The gross sums of a closed cycle that the party owes or is owed. */
export async function listPartyGross(db: Kysely<Database>, input: { cycleId: string; partyId: string }) {
  return db
    .selectFrom('settlement_gross')
    .select([
      'currency',
      'debtor_id as debtorId',
      'creditor_id as creditorId',
      'amount_minor as amountMinor',
      'obligation_count as obligationCount',
    ])
    .where('cycle_id', '=', input.cycleId)
    .where((eb) => eb.or([eb('debtor_id', '=', input.partyId), eb('creditor_id', '=', input.partyId)]))
    .execute();
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
