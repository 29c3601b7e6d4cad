// The reconciliation use case: finance asks for a run of one programme and period (or the daily
// Schedule does), or a partner uploads its own list as CSV; the run compares the gateway's record of
// what it did at the programme's loyalty system with that system's list, and finance lists the
// breaks by partner, kind and age and resolves each with a reason. The API, the worker and the
// console all call this module.
import { createHash } from 'node:crypto';
import { ProblemError } from '../domain/errors.ts';
import type { PartnerTransaction } from '../domain/partner-transaction.ts';
import {
  type BreakKind,
  type ReconciliationPeriod,
  type Resolution,
  readWindow,
} from '../domain/reconciliation.ts';
import { CsvUploadError, parseTransactionsCsv } from '../domain/reconciliation-csv.ts';
import type { ReconciliationBreak, ReconciliationRun, ReconciliationSource } from '../store/database.ts';
import { bindIdempotencyEffect } from '../store/idempotency.ts';
import { newId } from '../store/ids.ts';
import { findBreak, listBreaks, type MatchResult, matchRun, resolveBreak } from '../store/reconciliation.ts';
import {
  failRun,
  findRun,
  insertRunWithId,
  listRuns,
  partnerListStager,
  restartStaging,
} from '../store/reconciliation-runs.ts';
import type { ServiceContext } from './context.ts';
import { requireOwnProgram, requireProgram } from './programs.ts';

/** Starts a run's workflow and waits a short while for it: true when it finished meanwhile. */
export type ReconciliationStarter = (runId: string) => Promise<boolean>;

export type Requester = { kind: 'partner'; partnerId: string } | { kind: 'finance' } | { kind: 'schedule' };

const periodDaysMax = 31;

function requirePeriod(period: ReconciliationPeriod): void {
  if (!(period.to > period.from)) {
    throw new ProblemError('validation_failed', 'The period must end after it starts.', [
      { field: 'to', message: 'must be after from' },
    ]);
  }
  if (period.to.getTime() - period.from.getTime() > periodDaysMax * 86_400_000) {
    throw new ProblemError('validation_failed', `A run covers at most ${periodDaysMax} days.`, [
      { field: 'to', message: `at most ${periodDaysMax} days after from` },
    ]);
  }
}

function nameOf(requester: Requester): string {
  return requester.kind === 'partner' ? requester.partnerId : requester.kind;
}

/**
 * Creates a run bound to the request's Idempotency-Key (with the uploaded items staged, all in one
 * transaction: a malformed file loads nothing) and starts it.
 */
export async function requestRun(
  context: ServiceContext & { startRun: ReconciliationStarter },
  input: {
    requester: Requester;
    programId: string;
    period: ReconciliationPeriod;
    /** A partner's own list, as CSV; absent: the gateway asks the programme's system (or ledger). */
    csv?: string;
    idempotency: { principal: string; key: string; effectId: string | null };
  },
): Promise<{ run: ReconciliationRun; finished: boolean }> {
  const program =
    input.requester.kind === 'partner'
      ? await requireOwnProgram(context, input.requester.partnerId, input.programId, 'programId')
      : await requireProgram(context, input.programId, 'programId');
  requirePeriod(input.period);
  let items: PartnerTransaction[] | null = null;
  if (input.csv !== undefined) {
    try {
      items = parseTransactionsCsv(input.csv);
    } catch (error) {
      if (!(error instanceof CsvUploadError)) throw error;
      throw new ProblemError('validation_failed', `The CSV is not valid: ${error.message}.`, [
        { field: 'csv', message: error.message },
      ]);
    }
  }
  const existing = input.idempotency.effectId
    ? await findRun(context.db, input.idempotency.effectId)
    : undefined;
  const source: ReconciliationSource =
    items !== null ? 'upload' : program.ledger === 'hosted' ? 'hosted_ledger' : 'partner_api';
  const run =
    existing ??
    (await context.db.transaction().execute(async (trx) => {
      const runId = newId('rec');
      const boundTo = await bindIdempotencyEffect(trx, { ...input.idempotency, effectId: runId });
      if (boundTo !== runId) {
        const earlier = await findRun(trx, boundTo);
        if (!earlier) throw new Error(`reconciliation run ${boundTo} bound to a key does not exist`);
        return earlier;
      }
      const created = await insertRunWithId(trx, {
        id: runId,
        partnerId: program.partner_id,
        programId: program.id,
        period: input.period,
        source,
        requestedBy: nameOf(input.requester),
      });
      if (items) {
        const stage = partnerListStager(trx, runId);
        for (let start = 0; start < items.length; start += 5_000)
          await stage(items.slice(start, start + 5_000));
      }
      return created;
    }));
  const finished = await context.startRun(run.id);
  const current = await findRun(context.db, run.id);
  if (!current) throw new Error(`reconciliation run ${run.id} vanished`);
  return { run: current, finished };
}

/** The id of the Schedule's run of a programme and period: a second trigger finds the same run. */
export function scheduledRunId(programId: string, period: ReconciliationPeriod): string {
  const digest = createHash('sha256')
    .update(`${programId}|${period.from.toISOString()}|${period.to.toISOString()}`)
    .digest();
  const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
  let text = '';
  for (let index = 0; index < 26; index += 1) text += alphabet[(digest[index] ?? 0) & 31];
  return `rec_${text}`;
}

/** Creates the Schedule's run of the programme and period unless it exists; its id. */
export async function ensureScheduledRun(
  context: ServiceContext,
  input: { programId: string; period: ReconciliationPeriod },
): Promise<string> {
  const program = await requireProgram(context, input.programId, 'programId');
  const id = scheduledRunId(program.id, input.period);
  await insertRunWithId(context.db, {
    id,
    partnerId: program.partner_id,
    programId: program.id,
    period: input.period,
    source: program.ledger === 'hosted' ? 'hosted_ledger' : 'partner_api',
    requestedBy: 'schedule',
  });
  return id;
}

/** One page of a programme's transactions in [from, to), oldest first, at most `pageSize`. */
export type TransactionPager = (period: ReconciliationPeriod) => Promise<PartnerTransaction[]>;

/**
 * Runs the comparison: asks the programme's system for its list over the widened window (page by
 * page; `progress` after each), unless the partner uploaded it, then matches and stores the result.
 */
export async function reconcileRun(
  context: ServiceContext,
  input: {
    runId: string;
    toleranceMs: number;
    transactions: TransactionPager;
    pageSize: number;
    progress: (itemsRead: number) => void;
    now: Date;
  },
): Promise<MatchResult> {
  const run = await findRun(context.db, input.runId);
  if (!run) throw new Error(`reconciliation run ${input.runId} does not exist`);
  const window = readWindow({ from: run.period_from, to: run.period_to }, input.toleranceMs);
  // A retried activity starts over: what an earlier attempt staged is dropped first.
  if (run.source !== 'upload' && (await restartStaging(context.db, run.id))) {
    await readAllPages(window, input, partnerListStager(context.db, run.id));
  }
  return matchRun(context.db, {
    run,
    window,
    ...(run.source === 'hosted_ledger' ? { balancesAt: input.now } : {}),
  });
}

async function readAllPages(
  window: ReconciliationPeriod,
  input: { transactions: TransactionPager; pageSize: number; progress: (itemsRead: number) => void },
  stage: (page: PartnerTransaction[]) => Promise<void>,
): Promise<void> {
  let from = window.from;
  let read = 0;
  // Items at the instant a full page ended on come again at the start of the next page.
  let seenAtBoundary = new Set<string>();
  while (true) {
    const page = await input.transactions({ from, to: window.to });
    const fresh = page.filter(
      (item) => !(item.at.getTime() === from.getTime() && seenAtBoundary.has(item.key)),
    );
    await stage(fresh);
    read += fresh.length;
    input.progress(read);
    // The contract allows pages of any length up to pageSize: a short page is not the end of the
    // list; a page that brings nothing new is.
    const last = page[page.length - 1];
    if (!last) return;
    if (fresh.length === 0) {
      if (page.length < input.pageSize) return;
      throw new Error(
        `more than ${input.pageSize} operations at ${from.toISOString()}: the list cannot be paged`,
      );
    }
    const boundary = last.at;
    const atBoundary = page
      .filter((item) => item.at.getTime() === boundary.getTime())
      .map((item) => item.key);
    seenAtBoundary = new Set(
      boundary.getTime() === from.getTime() ? [...seenAtBoundary, ...atBoundary] : atBoundary,
    );
    from = boundary;
  }
}

export const markRunFailed = (context: ServiceContext, runId: string, detail: string) =>
  failRun(context.db, runId, detail);

export async function readRun(
  context: ServiceContext,
  viewer: Requester,
  runId: string,
): Promise<ReconciliationRun> {
  const run = await findRun(context.db, runId);
  if (!run || (viewer.kind === 'partner' && run.partner_id !== viewer.partnerId)) {
    throw new ProblemError('not_found', `Reconciliation run ${runId} does not exist.`);
  }
  return run;
}

export const listReconciliationRuns = (
  context: ServiceContext,
  input: { partnerId: string | null; cursor: string | null; limit: number },
) => listRuns(context.db, input);

export const listReconciliationBreaks = (
  context: ServiceContext,
  input: {
    partnerId: string | null;
    kind: BreakKind | null;
    olderThanHours: number | null;
    state: 'open' | 'resolved' | 'all';
    cursor: string | null;
    limit: number;
    now: Date;
  },
): Promise<ReconciliationBreak[]> =>
  listBreaks(context.db, {
    ...input,
    occurredBefore:
      input.olderThanHours === null ? null : new Date(input.now.getTime() - input.olderThanHours * 3_600_000),
  });

/** Resolves a break once, for good; the same resolution again answers the same, another is a conflict. */
export async function resolveReconciliationBreak(
  context: ServiceContext,
  input: { breakId: string; resolution: Resolution; reason: string; resolvedBy: string; now: Date },
): Promise<ReconciliationBreak> {
  const found = await findBreak(context.db, input.breakId);
  if (!found) throw new ProblemError('not_found', `Break ${input.breakId} does not exist.`);
  const resolved = await resolveBreak(context.db, { ...input, at: input.now });
  if (!resolved) throw new Error(`break ${input.breakId} vanished`);
  if (resolved.resolution !== input.resolution || resolved.resolution_reason !== input.reason) {
    throw new ProblemError(
      'break_already_resolved',
      `Break ${input.breakId} was resolved ${resolved.resolution} on ${resolved.resolved_at?.toISOString()}; a resolution is kept for good.`,
    );
  }
  return resolved;
}
