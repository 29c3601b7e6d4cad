// The conservation monitor's queries: each invariant is one set-based statement that counts the rows
// breaking it and names the first few, and the results are kept in conservation_checks. Each
// statement reads one snapshot, so a transfer and its obligation, committed together, are seen
// together; nothing here decides whether the findings pass (domain/conservation.ts does).
import { type RawBuilder, sql } from 'kysely';
import {
  type ConservationFindings,
  exampleIdsMax,
  type FindingsDocument,
  findingsDocument,
  findingsFromDocument,
  isConserved,
  noOffenders,
  type Offenders,
} from '../domain/conservation.ts';
import type { Db } from './connection.ts';
import { checkLedger } from './hosted-ledger/reports.ts';

/**
 * Runs a statement selecting `id` and `total` (`count(*) over ()`, computed before the limit) of
 * the offending rows, at most exampleIdsMax of them; no row means none offends.
 */
async function offenders(
  db: Db,
  query: RawBuilder<{ id: string | bigint; total: bigint }>,
): Promise<Offenders> {
  const { rows } = await query.execute(db);
  return { count: rows[0]?.total ?? 0n, exampleIds: rows.map((row) => String(row.id)) };
}

/** Hosted ledger transfers whose own entries do not sum to zero: where an unbalanced sum comes from. */
function unbalancedLedgerTransfers() {
  return sql<{ id: bigint; total: bigint }>`
    select transfer_id as id, count(*) over () as total
    from ledger_entries
    group by transfer_id
    having sum(amount_points) <> 0
    order by transfer_id
    limit ${exampleIdsMax}`;
}

function completedTransfersWithoutObligation() {
  return sql<{ id: string; total: bigint }>`
    select t.id, count(*) over () as total
    from transfers t
    where t.status = 'completed'
      and not exists (
        select 1 from settlement_obligations o where o.transfer_id = t.id and o.kind = 'transfer'
      )
    order by t.id
    limit ${exampleIdsMax}`;
}

/** Named by the transfer they claim to come from (their source, when they name no transfer). */
function obligationsWithoutCompletedTransfer() {
  return sql<{ id: string; total: bigint }>`
    select coalesce(o.transfer_id, o.source_id) as id, count(*) over () as total
    from settlement_obligations o
    left join transfers t on t.id = o.transfer_id
    where o.kind = 'transfer' and (t.id is null or t.status <> 'completed')
    order by o.id
    limit ${exampleIdsMax}`;
}

/** By the database's clock: the reservations' expiries were written against it as well. */
function reservationsPastExpiry(graceSeconds: number) {
  return sql<{ id: bigint; total: bigint }>`
    select id, count(*) over () as total
    from ledger_transfers
    where status = 'pending' and operation = 'reserve'
      and expires_at < now() - make_interval(secs => ${graceSeconds})
    order by expires_at
    limit ${exampleIdsMax}`;
}

/** Every invariant, each in its own statement. */
export async function findConservationOffenders(
  db: Db,
  input: { reservationGraceSeconds: number },
): Promise<ConservationFindings> {
  const ledger = await checkLedger(db);
  return {
    entriesSum: ledger.entriesSum,
    offenders: {
      // Finding the transfers behind a sum that is not zero costs a grouping of every entry: only then.
      ledger_not_zero_sum:
        ledger.entriesSum === 0n ? noOffenders : await offenders(db, unbalancedLedgerTransfers()),
      accounts_out_of_balance: {
        count: BigInt(ledger.accountsOutOfBalance.length),
        exampleIds: ledger.accountsOutOfBalance.slice(0, exampleIdsMax).map(String),
      },
      transfers_without_obligation: await offenders(db, completedTransfersWithoutObligation()),
      obligations_without_completed_transfer: await offenders(db, obligationsWithoutCompletedTransfer()),
      reservations_past_expiry: await offenders(db, reservationsPastExpiry(input.reservationGraceSeconds)),
    },
  };
}

export interface ConservationCheck {
  id: string;
  runId: string;
  checkedAt: Date;
  ok: boolean;
  findings: ConservationFindings;
}

function checkOf(row: {
  id: bigint;
  run_id: string;
  checked_at: Date;
  ok: boolean;
  findings: unknown;
}): ConservationCheck {
  return {
    id: String(row.id),
    runId: row.run_id,
    checkedAt: row.checked_at,
    ok: row.ok,
    findings: findingsFromDocument(row.findings as FindingsDocument),
  };
}

/** Records a run's findings once: a second call for the same run returns the row the first wrote. */
export async function recordConservationCheck(
  db: Db,
  input: { runId: string; findings: ConservationFindings },
): Promise<ConservationCheck> {
  const inserted = await db
    .insertInto('conservation_checks')
    .values({
      run_id: input.runId,
      ok: isConserved(input.findings),
      findings: JSON.stringify(findingsDocument(input.findings)),
    })
    .onConflict((conflict) => conflict.column('run_id').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return checkOf(inserted);
  return checkOf(
    await db
      .selectFrom('conservation_checks')
      .selectAll()
      .where('run_id', '=', input.runId)
      .executeTakeFirstOrThrow(),
  );
}

/** The latest checks, newest first. */
export async function listConservationChecks(db: Db, limit: number): Promise<ConservationCheck[]> {
  const rows = await db
    .selectFrom('conservation_checks')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(checkOf);
}

export async function findLastFailedConservationCheck(db: Db): Promise<ConservationCheck | undefined> {
  const row = await db
    .selectFrom('conservation_checks')
    .selectAll()
    .where('ok', '=', false)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? checkOf(row) : undefined;
}

export async function findConservationCheck(db: Db, id: string): Promise<ConservationCheck | undefined> {
  const row = await db
    .selectFrom('conservation_checks')
    .selectAll()
    .where('id', '=', BigInt(id))
    .executeTakeFirst();
  return row ? checkOf(row) : undefined;
}

/** Passing checks before `before` go; failing ones stay, as the record of what went wrong and when. */
export async function deletePassingChecksBefore(db: Db, before: Date): Promise<bigint> {
  const result = await db
    .deleteFrom('conservation_checks')
    .where('ok', '=', true)
    .where('checked_at', '<', before)
    .executeTakeFirst();
  return result.numDeletedRows;
}
