// What the console's pages show, each limited to the viewer's partner when the viewer is a
// partner's user. Where the API has a use case for it, this calls that use case with the same scope
// the API gives a partner; the rest (the whole alliance, transfers across partners) reads store/.
import { ProblemError } from '../domain/errors.ts';
import { type MinuteCount, transfersPerMinute } from '../store/console-activity.ts';
import {
  type ConsoleTransferFilter,
  listConsoleTransfers,
  partnerNames,
  programNames,
  readAllianceView,
} from '../store/console-views.ts';
import type { ReconciliationBreak, SettlementCycle } from '../store/database.ts';
import { openBreaksInBand } from '../store/reconciliation-break-bands.ts';
import { findTransferWithSteps } from '../store/transfers.ts';
import { type ConsoleViewer, partnerScope } from './console-access.ts';
import type { ServiceContext } from './context.ts';
import { type CycleSummary, listCycleInstructions, listSettlementCycles, readCycle } from './settlement.ts';
import { readTransfer } from './transfers.ts';

export async function allianceOverview(context: ServiceContext, viewer: ConsoleViewer) {
  const [alliance, names] = await Promise.all([
    readAllianceView(context.db, partnerScope(viewer)),
    programNames(context.db),
  ]);
  return { ...alliance, programNames: names };
}

/**
 * Transfers by the page's filters, within the viewer's scope. Only a viewer of the whole alliance
 * gets the partners to filter by: a partner's user sees its own transfers, and the alliance's other
 * members are not its to list.
 */
export async function consoleTransfers(
  context: ServiceContext,
  viewer: ConsoleViewer,
  input: Omit<ConsoleTransferFilter, 'partnerId'>,
) {
  const scope = partnerScope(viewer);
  const [transfers, names, partners] = await Promise.all([
    listConsoleTransfers(context.db, { ...input, partnerId: scope }),
    programNames(context.db),
    scope ? Promise.resolve([]) : partnerNames(context.db),
  ]);
  return { transfers, programNames: names, partners };
}

/** One transfer with its steps; a partner's user gets what the API gives that partner (not found otherwise). */
export async function consoleTransfer(context: ServiceContext, viewer: ConsoleViewer, transferId: string) {
  const scope = partnerScope(viewer);
  const found = scope
    ? await readTransfer(context, scope, transferId)
    : await findTransferWithSteps(context.db, transferId);
  if (!found) throw new ProblemError('not_found', `Transfer ${transferId} does not exist.`);
  return { ...found, programNames: await programNames(context.db) };
}

export async function consoleCycles(context: ServiceContext, limit: number): Promise<SettlementCycle[]> {
  return listSettlementCycles(context, { cursor: null, limit });
}

/** A cycle's gross and net totals, positions and instructions; a partner sees its own positions and payments. */
export async function consoleCycle(
  context: ServiceContext,
  viewer: ConsoleViewer,
  cycleId: string,
): Promise<CycleSummary & { instructions: Awaited<ReturnType<typeof listCycleInstructions>> }> {
  const partyId = partnerScope(viewer);
  const summary = await readCycle(context, { cycleId, partyId });
  const instructions = await listCycleInstructions(context, { cycleId, partyId, cursor: null, limit: 100 });
  return { ...summary, instructions };
}

export interface AgedBreaks {
  /**
   * Open breaks in age bands by when they occurred: under a day, one to seven days, older; each
   * band's count whole, its breaks the oldest first up to a page.
   */
  bands: { label: string; total: number; breaks: ReconciliationBreak[] }[];
}

/** How many breaks a band lists; its count is whole. */
export const consoleBreaksPerBand = 100;

export async function consoleBreaks(
  context: ServiceContext,
  viewer: ConsoleViewer,
  now: Date,
): Promise<AgedBreaks> {
  const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);
  const bands = [
    { label: 'under a day', band: { since: hoursAgo(24), before: null } },
    { label: '1–7 days', band: { since: hoursAgo(168), before: hoursAgo(24) } },
    { label: 'over 7 days', band: { since: null, before: hoursAgo(168) } },
  ];
  const partnerId = partnerScope(viewer);
  return {
    bands: await Promise.all(
      bands.map(async ({ label, band }) => ({
        label,
        ...(await openBreaksInBand(context.db, { partnerId, band, limit: consoleBreaksPerBand })),
      })),
    ),
  };
}

export interface TransferActivity {
  /** Minute starts, seconds since the epoch, oldest first, every minute of the period. */
  minutes: number[];
  /** Per outcome, a count for each minute. */
  series: { outcome: string; counts: number[] }[];
}

const outcomes = ['completed', 'failed', 'needs_attention', 'in_flight'] as const;

/** Transfers created per minute over the last `hours`, by outcome (in flight: not finished yet). */
export async function transferActivity(
  context: ServiceContext,
  viewer: ConsoleViewer,
  input: { hours: number; now: Date },
): Promise<TransferActivity> {
  const end = Math.floor(input.now.getTime() / 60_000) * 60_000;
  const start = end - (input.hours * 60 - 1) * 60_000;
  const rows: MinuteCount[] = await transfersPerMinute(context.db, {
    partnerId: partnerScope(viewer),
    since: new Date(start),
  });
  const minutes = Array.from({ length: input.hours * 60 }, (_, index) => (start + index * 60_000) / 1000);
  const series = outcomes.map((outcome) => ({ outcome, counts: minutes.map(() => 0) }));
  for (const row of rows) {
    const outcome = (outcomes as readonly string[]).includes(row.status) ? row.status : 'in_flight';
    const index = (row.minute.getTime() - start) / 60_000;
    const line = series.find((entry) => entry.outcome === outcome);
    if (line && index >= 0 && index < minutes.length)
      line.counts[index] = (line.counts[index] ?? 0) + row.count;
  }
  return { minutes, series };
}
