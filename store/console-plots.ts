// The figures behind the console's plots: points moved between programmes over a period, hosted
// programmes' member balances by day (from ledger entries), read in one aggregate each.
import { type Kysely, sql } from 'kysely';
import { firstTransferIdAt } from './console-activity.ts';
import type { Database } from './database.ts';

export interface ProgramFlow {
  source_program_id: string;
  target_program_id: string;
  transfers: number;
  source_points: bigint;
}

/** Completed transfers in [from, to) summed per programme pair; a partner's when either end is its. */
export async function programFlows(
  db: Kysely<Database>,
  input: { from: Date; to: Date; programIds: string[] | null },
): Promise<ProgramFlow[]> {
  const own = input.programIds;
  if (own?.length === 0) return [];
  const rows = await db
    .selectFrom('transfers')
    .select([
      'source_program_id',
      'target_program_id',
      (eb) => eb.fn.countAll<string>().as('transfers'),
      sql<bigint>`sum(debit_points)::int8`.as('source_points'),
    ])
    .where('status', '=', 'completed')
    // A range on the primary key: transfer ids begin with their creation time (store/ids.ts).
    .where('id', '>=', firstTransferIdAt(input.from))
    .where('id', '<', firstTransferIdAt(input.to))
    .$if(own !== null, (query) =>
      query.where((eb) =>
        eb.or([eb('source_program_id', 'in', own ?? []), eb('target_program_id', 'in', own ?? [])]),
      ),
    )
    .groupBy(['source_program_id', 'target_program_id'])
    .orderBy('source_program_id')
    .orderBy('target_program_id')
    .execute();
  return rows.map((row) => ({ ...row, transfers: Number(row.transfers) }));
}

export interface DailyBalance {
  program_id: string;
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  /** Members' posted points at the end of that day. */
  balance_points: bigint;
}

/**
 * Each hosted programme's member balances at the end of every UTC day in [from, to). Held points
 * are still the member's (a reservation is posted or given back), so only posted points count.
 *
 * Counted backwards from now, so that a page view reads the entries since `from` and never the
 * whole ledger: a member account's counters hold its posted balance (checkLedger proves they agree
 * with its entries), and the balance at the end of a day is that, less the posted entries written
 * after it. The counters and the entries are read in one statement, from one snapshot, so every
 * entry is in both or in neither. The entries since `from` are found by a BRIN index on created_at
 * (entries are written in time order), which costs the ledger's writes next to nothing.
 */
export async function memberBalancesByDay(
  db: Kysely<Database>,
  input: { from: Date; to: Date; programIds: string[] | null },
): Promise<DailyBalance[]> {
  const own = input.programIds;
  if (own?.length === 0) return [];
  const result = await sql<DailyBalance>`
    with days as (
      select generate_series(${input.from}::timestamptz at time zone 'UTC',
        ${input.to}::timestamptz at time zone 'UTC' - interval '1 day', interval '1 day')::date as day
    ),
    hosted as (
      select id from programs where ledger = 'hosted'
        ${own === null ? sql`` : sql`and id = any(${own}::text[])`}
    ),
    now_posted as (
      select program_id, sum(credits_posted - debits_posted) as points
      from ledger_accounts
      where kind = 'member' and program_id in (select id from hosted)
      group by program_id
    ),
    since as (
      select account.program_id, (entry.created_at at time zone 'UTC')::date as day,
        sum(entry.amount_points) as points
      from ledger_entries entry
      join ledger_accounts account on account.id = entry.account_id
      where entry.created_at >= ${input.from} and entry.phase = 'posted' and account.kind = 'member'
        and account.program_id in (select id from hosted)
      group by account.program_id, day
    )
    select hosted.id as program_id, to_char(days.day, 'YYYY-MM-DD') as day,
      (coalesce((select points from now_posted where now_posted.program_id = hosted.id), 0)
        - coalesce((select sum(points) from since
            where since.program_id = hosted.id and since.day > days.day), 0))::int8 as balance_points
    from hosted cross join days
    order by hosted.id, days.day`.execute(db);
  return result.rows;
}
