// Reconciliation as stored: the match of a run against the gateway's own record (one set-based
// statement: a full outer join on the key), and the breaks it finds. A run's result replaces the open
// breaks of its programme and period in one transaction (an upload's, only those uploads found; a
// hosted run's balance breaks, as its accounts stand now); a resolved break is never deleted, and a
// rerun finding the same difference again leaves it as is.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { BreakKind, ReconciliationPeriod, Resolution } from '../domain/reconciliation.ts';
import type { Database, ReconciliationBreak, ReconciliationRun } from './database.ts';
import { newId } from './ids.ts';
import { gatewayOperations } from './reconciliation-gateway-operations.ts';
import { dropStagedItems } from './reconciliation-runs.ts';
import { inTransaction } from './transaction.ts';

/** A break as the match's JSON carries it: points as strings, the time as ISO text. */
interface FoundBreak {
  key: string;
  kind: BreakKind;
  operation: string | null;
  accountRef: string | null;
  gatewayPoints: string | null;
  partnerPoints: string | null;
  gatewayStatus: string | null;
  partnerStatus: string | null;
  partnerCount: number | null;
  occurredAt: string;
}

export interface MatchResult {
  partnerItemCount: bigint;
  matchedCount: bigint;
  breakCounts: Partial<Record<BreakKind, number>>;
}

/**
 * The match's settings, for its own transaction only (the bench explains its plans with them too):
 * - no JIT: the statement's estimated cost passes PostgreSQL's thresholds for inlining and optimising
 *   its expressions as machine code; compiling them took 3.6 s of an 11.5 s match (EXPLAIN ANALYZE
 *   over a million operations), more than the compiled code saves in a statement run once;
 * - a 10 minute statement timeout: a batch statement over a whole day of a programme, for which the
 *   15 s meant for requests (store/connection.ts) is too short on a busy server; the activity's own
 *   30 minutes bound it;
 * - 128 MB of work memory: its hashes hold a day of a programme's operations (a million take
 *   ~200 MB; hashes get twice this, hash_mem_multiplier), which the server's default 4 MB would
 *   spill to disk in a hundred batches. One statement, once a day per programme;
 * - no merge joins: the partner's staged items (arrays unnested) are estimated at a few thousand
 *   rows, not a million, so the planner joined the two sides by sorting both on the key, each sort
 *   spilling 100-130 MB to disk (3.5 s of a 7 s match); a hash full join reads each side once, and
 *   the match took ~4 s (`npm run bench:reconcile`, docs/performance.md).
 */
export const matchSettings = [
  'jit = off',
  "statement_timeout = '10min'",
  "work_mem = '128MB'",
  'enable_mergejoin = off',
] as const;

/**
 * Matches the run's staged items with the gateway's operations at its programme. Both sides are
 * read over the period widened by the tolerance; an item counts (matched or broken) only when it
 * happened inside the period, by the gateway's time or, missing there, the partner's. Then the open
 * breaks of the programme and period are replaced by what was found, the staged items dropped and
 * the run completed, all in one transaction.
 */
export async function matchRun(
  db: Kysely<Database>,
  input: {
    run: ReconciliationRun;
    window: ReconciliationPeriod;
    /** A hosted programme's run: its accounts' balance breaks as they stand at this instant too. */
    balancesAt?: Date;
  },
): Promise<MatchResult> {
  const { run, window } = input;
  return inTransaction(db, async (trx) => {
    // A retried activity whose first attempt matched already (its completion lost to Temporal) would
    // match against no staged items, and replace the run's breaks with false ones: it answers what
    // the run found instead, and drops what it staged meanwhile. The lock orders overlapping attempts.
    const current = await trx
      .selectFrom('reconciliation_runs')
      .select(['status', 'partner_item_count', 'matched_count', 'break_counts'])
      .where('id', '=', run.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (current.status !== 'running') {
      await dropStagedItems(trx, run.id);
      return {
        partnerItemCount: current.partner_item_count ?? 0n,
        matchedCount: current.matched_count ?? 0n,
        breakCounts: (current.break_counts ?? {}) as MatchResult['breakCounts'],
      };
    }
    for (const setting of matchSettings) await sql.raw(`set local ${setting}`).execute(trx);
    // Two runs of one programme (a finance run and a day retried by the Schedule) match and replace
    // its breaks one after the other: at the same time, neither's delete would see the other's new
    // breaks, and both sets would stay open; and a hosted programme's later run would restore a
    // balance break the earlier found repaired.
    await sql`select pg_advisory_xact_lock(hashtext(${`reconciliation ${run.program_id}`}))`.execute(trx);
    const balanceBreaks = input.balancesAt
      ? await hostedBalanceBreaks(trx, run.program_id, input.balancesAt)
      : [];
    const gateway = gatewayOperations({ programId: run.program_id, from: window.from, to: window.to });
    // One pass over the compared rows: the matches only counted, the few breaks gathered as JSON
    // (a CTE read twice, for the breaks and for the count, was materialised: a million rows written
    // to a tuple store and read back twice). The partner's first listings are joined as staged, each
    // key once; only the repeats (pages staged as such, migration 2026-11-30T0330) are grouped, to
    // count how often a key was listed.
    const found = await sql<{ matched: number; breaks: FoundBreak[] }>`
      select count(*) filter (where kind is null)::int as matched,
        coalesce(json_agg(json_build_object('key', key, 'kind', kind, 'operation', operation,
          'accountRef', account_ref, 'gatewayPoints', gateway_points, 'partnerPoints', partner_points,
          'gatewayStatus', gateway_status, 'partnerStatus', partner_status,
          'partnerCount', partner_count, 'occurredAt', occurred_at)) filter (where kind is not null),
          '[]') as breaks
      from (
        select coalesce(g.key, p.key) as key,
          case
            when again.n is not null then 'duplicate_at_partner'
            when p.key is null then 'missing_at_partner'
            when g.key is null then 'missing_at_gateway'
            when g.points <> p.points then 'amount_mismatch'
            when g.status <> p.status then 'status_mismatch'
          end as kind,
          coalesce(g.operation, least(p.operation, again.operation)) as operation,
          coalesce(g.account_ref, least(p.account_ref, again.account_ref)) as account_ref,
          g.points::text as gateway_points, least(p.points, again.points)::text as partner_points,
          g.status as gateway_status, least(p.status, again.status) as partner_status,
          case when p.key is not null then 1 + coalesce(again.n, 0) end as partner_count,
          coalesce(g.at, least(p.at, again.at)) as occurred_at
        from ${gateway} g
          full outer join (
            select item.key, item.operation, item.account_ref, item.points, item.status, item.at
            from reconciliation_partner_pages page
              cross join lateral unnest(page.keys, page.operations, page.account_refs, page.points,
                page.statuses, page.ats) as item(key, operation, account_ref, points, status, at)
            where page.run_id = ${run.id} and not page.repeats
          ) p on p.key = g.key
          left join (
            select item.key, count(*)::int as n, min(item.operation) as operation,
              min(item.account_ref) as account_ref, min(item.points) as points, min(item.status) as status,
              min(item.at) as at
            from reconciliation_partner_pages page
              cross join lateral unnest(page.keys, page.operations, page.account_refs, page.points,
                page.statuses, page.ats) as item(key, operation, account_ref, points, status, at)
            where page.run_id = ${run.id} and page.repeats
            group by item.key
          ) again on again.key = p.key
      ) compared
      where occurred_at >= ${run.period_from} and occurred_at < ${run.period_to}`.execute(trx);
    const { matched, breaks: foundBreaks } = found.rows[0] ?? { matched: 0, breaks: [] };
    const breaks: NewBreak[] = [
      ...foundBreaks.map((row) => ({
        kind: row.kind,
        itemKey: row.key,
        operation: row.operation,
        accountRef: row.accountRef,
        gatewayPoints: row.gatewayPoints === null ? null : BigInt(row.gatewayPoints),
        partnerPoints: row.partnerPoints === null ? null : BigInt(row.partnerPoints),
        gatewayStatus: row.gatewayStatus,
        partnerStatus: row.partnerStatus,
        partnerCount: row.partnerCount,
        occurredAt: new Date(row.occurredAt),
      })),
      ...balanceBreaks,
    ];
    await replaceOpenBreaks(trx, run, breaks);
    const staged = await dropStagedItems(trx, run.id);
    const breakCounts: Partial<Record<BreakKind, number>> = {};
    for (const found of breaks) breakCounts[found.kind] = (breakCounts[found.kind] ?? 0) + 1;
    const result = {
      partnerItemCount: staged,
      matchedCount: BigInt(matched),
      breakCounts,
    };
    await trx
      .updateTable('reconciliation_runs')
      .set({
        status: 'completed',
        partner_item_count: result.partnerItemCount,
        matched_count: result.matchedCount,
        break_counts: JSON.stringify(breakCounts),
        finished_at: new Date(),
      })
      .where('id', '=', run.id)
      .execute();
    return result;
  });
}

export interface NewBreak {
  kind: BreakKind;
  itemKey: string;
  operation: string | null;
  accountRef: string | null;
  gatewayPoints: bigint | null;
  partnerPoints: bigint | null;
  gatewayStatus: string | null;
  partnerStatus: string | null;
  partnerCount: number | null;
  occurredAt: Date;
}

async function replaceOpenBreaks(trx: Transaction<Database>, run: ReconciliationRun, breaks: NewBreak[]) {
  let replaced = trx
    .deleteFrom('reconciliation_breaks')
    .where('program_id', '=', run.program_id)
    .where('resolved_at', 'is', null)
    .where('kind', '!=', 'balance_mismatch')
    .where('occurred_at', '>=', run.period_from)
    .where('occurred_at', '<', run.period_to);
  // A list the partner uploads clears only what uploads found: the breaks found in its system by
  // finance's runs and the Schedule's stay open until such a run no longer finds them or finance
  // resolves them, so a partner cannot clear them with a list of its own making.
  if (run.source === 'upload') {
    replaced = replaced.where('run_id', 'in', (eb) =>
      eb
        .selectFrom('reconciliation_runs')
        .select('id')
        .where('program_id', '=', run.program_id)
        .where('source', '=', 'upload'),
    );
  }
  await replaced.execute();
  if (run.source === 'hosted_ledger') {
    // A hosted programme's balance breaks say how its accounts stand now, not in the period: an open
    // one this run no longer finds (repaired, or drifted by another amount) goes; one it finds again
    // keeps its row, its id and when it was first found.
    const found = breaks.filter((item) => item.kind === 'balance_mismatch').map((item) => item.itemKey);
    await trx
      .deleteFrom('reconciliation_breaks')
      .where('program_id', '=', run.program_id)
      .where('resolved_at', 'is', null)
      .where('kind', '=', 'balance_mismatch')
      .$if(found.length > 0, (query) => query.where('item_key', 'not in', found))
      .execute();
  }
  for (let start = 0; start < breaks.length; start += 5_000) {
    const page = breaks.slice(start, start + 5_000);
    await sql`
      insert into reconciliation_breaks (id, partner_id, program_id, run_id, kind, item_key, operation,
        account_ref, gateway_points, partner_points, gateway_status, partner_status, partner_count, occurred_at)
      select b.id, ${run.partner_id}, ${run.program_id}, ${run.id}, b.kind, b.item_key, b.operation, b.account_ref,
        b.gateway_points, b.partner_points, b.gateway_status, b.partner_status, b.partner_count, b.occurred_at
      from unnest(
        ${page.map(() => newId('brk'))}::text[],
        ${page.map((b) => b.kind)}::text[],
        ${page.map((b) => b.itemKey)}::text[],
        ${page.map((b) => b.operation)}::text[],
        ${page.map((b) => b.accountRef)}::text[],
        ${page.map((b) => (b.gatewayPoints === null ? null : String(b.gatewayPoints)))}::int8[],
        ${page.map((b) => (b.partnerPoints === null ? null : String(b.partnerPoints)))}::int8[],
        ${page.map((b) => b.gatewayStatus)}::text[],
        ${page.map((b) => b.partnerStatus)}::text[],
        ${page.map((b) => b.partnerCount)}::int[],
        ${page.map((b) => b.occurredAt.toISOString())}::timestamptz[]
      ) as b (id, kind, item_key, operation, account_ref, gateway_points, partner_points, gateway_status,
        partner_status, partner_count, occurred_at)
      on conflict (program_id, item_key, kind) do nothing`.execute(trx);
  }
}

/** What the counters hold beyond the entries, signed: `+7`, `-3`, `+0`. */
function drift(counted: string, entries: string): string {
  const difference = BigInt(counted) - BigInt(entries);
  return difference < 0n ? String(difference) : `+${difference}`;
}

/** Hosted-ledger accounts of the programme whose counters disagree with the sum of their entries. */
async function hostedBalanceBreaks(db: Kysely<Database>, programId: string, now: Date): Promise<NewBreak[]> {
  const rows = await sql<{
    account_ref: string;
    counted: string;
    entries: string;
    counted_pending: string;
    entries_pending: string;
  }>`
    select a.account_ref,
      (a.credits_posted - a.debits_posted)::text as counted,
      coalesce(e.posted, 0)::text as entries,
      (a.credits_pending - a.debits_pending)::text as counted_pending,
      coalesce(e.pending, 0)::text as entries_pending
    from ledger_accounts a
    left join (
      select account_id,
        coalesce(sum(amount_points) filter (where phase = 'pending'), 0) as pending,
        coalesce(sum(amount_points) filter (where phase = 'posted'), 0) as posted
      from ledger_entries group by account_id
    ) e on e.account_id = a.id
    where a.program_id = ${programId} and a.debits_must_not_exceed_credits
      and (coalesce(e.pending, 0) <> a.credits_pending - a.debits_pending
        or coalesce(e.posted, 0) <> a.credits_posted - a.debits_posted)`.execute(db);
  return rows.rows.map((row) => ({
    kind: 'balance_mismatch' as const,
    // Keyed by the drift (counters less entries), not by the balance: the same drift found again is
    // the same break whatever the account did meanwhile, and a resolution settles that drift only;
    // another drift of the same account later is a new break, not hidden behind the resolved one.
    itemKey: `account:${row.account_ref}@posted${drift(row.counted, row.entries)},pending${drift(row.counted_pending, row.entries_pending)}`,
    operation: null,
    accountRef: row.account_ref,
    gatewayPoints: BigInt(row.counted),
    partnerPoints: BigInt(row.entries),
    gatewayStatus: null,
    partnerStatus: null,
    partnerCount: null,
    occurredAt: now,
  }));
}

export async function listBreaks(
  db: Kysely<Database>,
  input: {
    partnerId: string | null;
    kind: BreakKind | null;
    occurredBefore: Date | null;
    state: 'open' | 'resolved' | 'all';
    cursor: string | null;
    limit: number;
  },
): Promise<ReconciliationBreak[]> {
  let query = db.selectFrom('reconciliation_breaks').selectAll().orderBy('id').limit(input.limit);
  if (input.partnerId) query = query.where('partner_id', '=', input.partnerId);
  if (input.kind) query = query.where('kind', '=', input.kind);
  if (input.occurredBefore) query = query.where('occurred_at', '<=', input.occurredBefore);
  if (input.state === 'open') query = query.where('resolved_at', 'is', null);
  if (input.state === 'resolved') query = query.where('resolved_at', 'is not', null);
  if (input.cursor) query = query.where('id', '>', input.cursor);
  return query.execute();
}

export async function findBreak(
  db: Kysely<Database>,
  breakId: string,
): Promise<ReconciliationBreak | undefined> {
  return db.selectFrom('reconciliation_breaks').selectAll().where('id', '=', breakId).executeTakeFirst();
}

/** Resolves a break once; a resolution is kept forever. Returns the break as it now stands. */
export async function resolveBreak(
  db: Kysely<Database>,
  input: { breakId: string; resolution: Resolution; reason: string; resolvedBy: string; at: Date },
): Promise<ReconciliationBreak | undefined> {
  await db
    .updateTable('reconciliation_breaks')
    .set({
      resolution: input.resolution,
      resolution_reason: input.reason,
      resolved_by: input.resolvedBy,
      resolved_at: input.at,
    })
    .where('id', '=', input.breakId)
    .where('resolved_at', 'is', null)
    .execute();
  return findBreak(db, input.breakId);
}
