// Reconciliation runs as stored: a run per programme and period (the Schedule's has an id derived
// from both, so a second trigger finds it), and the partner's items staged for it until it matches.
import { type Kysely, sql } from 'kysely';
import type { PartnerTransaction } from '../domain/partner-transaction.ts';
import type { ReconciliationPeriod } from '../domain/reconciliation.ts';
import type { Database, ReconciliationRun, ReconciliationSource } from './database.ts';
import { inTransaction } from './transaction.ts';

/** Writes a run, unless one has this id already (the Schedule's second trigger): the run either way. */
export async function insertRunWithId(
  db: Kysely<Database>,
  values: {
    id: string;
    partnerId: string;
    programId: string;
    period: ReconciliationPeriod;
    source: ReconciliationSource;
    requestedBy: string;
  },
): Promise<ReconciliationRun> {
  await db
    .insertInto('reconciliation_runs')
    .values({
      id: values.id,
      partner_id: values.partnerId,
      program_id: values.programId,
      period_from: values.period.from,
      period_to: values.period.to,
      source: values.source,
      requested_by: values.requestedBy,
      status: 'running',
    })
    .onConflict((conflict) => conflict.column('id').doNothing())
    .execute();
  const run = await findRun(db, values.id);
  if (!run) throw new Error(`reconciliation run ${values.id} was not written`);
  return run;
}

export async function findRun(db: Kysely<Database>, runId: string): Promise<ReconciliationRun | undefined> {
  return db.selectFrom('reconciliation_runs').selectAll().where('id', '=', runId).executeTakeFirst();
}

export async function listRuns(
  db: Kysely<Database>,
  input: { partnerId: string | null; cursor: string | null; limit: number },
): Promise<ReconciliationRun[]> {
  let query = db.selectFrom('reconciliation_runs').selectAll().orderBy('id', 'desc').limit(input.limit);
  if (input.partnerId) query = query.where('partner_id', '=', input.partnerId);
  if (input.cursor) query = query.where('id', '<', input.cursor);
  return query.execute();
}

/**
 * Stages the partner's list for the run page by page: each page one row per kind (each field an
 * array), so a million items are a few hundred rows to write and to drop (migration 2026-11-30T0100).
 * Items whose key the list gave already go to a page of their own marked `repeats`: the match then
 * counts the few keys listed twice without grouping every key (migration 2026-11-30T0330). The keys
 * seen are held here, so one stager stages one list, whole (a retry drops what it staged and starts
 * over with a new one).
 */
export function partnerListStager(
  db: Kysely<Database>,
  runId: string,
): (items: readonly PartnerTransaction[]) => Promise<void> {
  const seen = new Set<string>();
  return async (items) => {
    const first: PartnerTransaction[] = [];
    const repeated: PartnerTransaction[] = [];
    for (const item of items) {
      if (seen.has(item.key)) repeated.push(item);
      else {
        seen.add(item.key);
        first.push(item);
      }
    }
    await stagePage(db, runId, first, false);
    await stagePage(db, runId, repeated, true);
  };
}

async function stagePage(
  db: Kysely<Database>,
  runId: string,
  items: readonly PartnerTransaction[],
  repeats: boolean,
): Promise<void> {
  if (items.length === 0) return;
  await sql`
    insert into reconciliation_partner_pages (run_id, repeats, keys, operations, account_refs, points, statuses, ats)
    values (${runId}, ${repeats},
      ${items.map((item) => item.key)}::text[],
      ${items.map((item) => item.operation)}::text[],
      ${items.map((item) => item.accountRef)}::text[],
      ${items.map((item) => String(item.points))}::int8[],
      ${items.map((item) => item.status)}::text[],
      ${items.map((item) => item.at.toISOString())}::timestamptz[])`.execute(db);
}

/**
 * Runs still running that started before `startedBefore`, oldest first, after the cursor: a run
 * whose workflow its requester never started (its process died after recording it, or Temporal was
 * away) would otherwise wait for good.
 */
export async function listStrandedRunIds(
  db: Kysely<Database>,
  input: { startedBefore: Date; afterId: string | null; limit: number },
): Promise<string[]> {
  let query = db
    .selectFrom('reconciliation_runs')
    .select('id')
    .where('status', '=', 'running')
    .where('started_at', '<', input.startedBefore)
    .orderBy('id')
    .limit(input.limit);
  if (input.afterId) query = query.where('id', '>', input.afterId);
  return (await query.execute()).map((row) => row.id);
}

/** Drops what was staged for the run; answers how many items that was. */
export async function dropStagedItems(db: Kysely<Database>, runId: string): Promise<bigint> {
  const pages = await db
    .deleteFrom('reconciliation_partner_pages')
    .where('run_id', '=', runId)
    .returning(sql<number>`cardinality(keys)`.as('items'))
    .execute();
  return pages.reduce((sum, page) => sum + BigInt(page.items), 0n);
}

/**
 * A fetch of the partner's list starting over (a retried activity): drops what an earlier attempt
 * staged, under the run's lock, and says whether the run still waits for its match. An attempt still
 * matching holds that lock, so its staged items are never taken from under it; a run it completed
 * is not fetched again.
 */
export async function restartStaging(db: Kysely<Database>, runId: string): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const run = await trx
      .selectFrom('reconciliation_runs')
      .select('status')
      .where('id', '=', runId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (run.status !== 'running') return false;
    await dropStagedItems(trx, runId);
    return true;
  });
}

export async function failRun(db: Kysely<Database>, runId: string, detail: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    await dropStagedItems(trx, runId);
    await trx
      .updateTable('reconciliation_runs')
      .set({ status: 'failed', failure_detail: detail, finished_at: new Date() })
      .where('id', '=', runId)
      .where('status', '=', 'running')
      .execute();
  });
}

/**
 * The Schedule's runs that failed (their partner stayed down through every attempt) for a period
 * starting at `periodFromAtLeast` or later, running again: their ids. A run reopened whose workflow
 * then never starts is a stranded run, which the stranded sweep starts.
 */
export async function reopenFailedScheduledRuns(
  db: Kysely<Database>,
  periodFromAtLeast: Date,
): Promise<string[]> {
  const rows = await db
    .updateTable('reconciliation_runs')
    .set({ status: 'running', failure_detail: null, finished_at: null })
    .where('status', '=', 'failed')
    .where('requested_by', '=', 'schedule')
    .where('period_from', '>=', periodFromAtLeast)
    // a partner suspended or gone since is reconciled no more, as listReconciledPrograms says
    .where('partner_id', 'in', (eb) => eb.selectFrom('partners').select('id').where('status', '=', 'active'))
    .returning('id')
    .execute();
  return rows.map((row) => row.id).sort();
}

/** Every programme of an active partner: each is reconciled daily. */
export async function listReconciledPrograms(db: Kysely<Database>): Promise<string[]> {
  const rows = await db
    .selectFrom('programs')
    .innerJoin('partners', 'partners.id', 'programs.partner_id')
    .select('programs.id')
    .where('partners.status', '=', 'active')
    .orderBy('programs.id')
    .execute();
  return rows.map((row) => row.id);
}
