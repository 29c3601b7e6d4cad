// The alliance analytics use case: RFM segments per programme and across the alliance, the top
// programme pairs, and conversion from link to first transfer. The operator and finance see the
// whole alliance; a partner sees its own programmes' members and the pairs with one of its
// programmes at either end, never the alliance-wide figures (they describe other partners' members).
import {
  type AnalyticsWindow,
  analyticsWindowDaysDefault,
  analyticsWindowDaysMax,
  type SegmentFigures,
  segmentCounts,
} from '../domain/analytics.ts';
import { ProblemError } from '../domain/errors.ts';
import {
  allianceRfmCells,
  type BrandPair,
  type LinkConversion,
  linkConversion,
  programRfmCells,
  topBrandPairs,
} from '../store/analytics.ts';
import type { ServiceContext } from './context.ts';
import { requireOwnProgram, requireProgram } from './programs.ts';

/** Who asks: the alliance's own staff (operator, finance) or one partner. */
export type AnalyticsViewer = { kind: 'alliance' } | { kind: 'partner'; partnerId: string };

const dayMs = 86_400_000;

// The figures are asked for in a query string (the console's too), so a refusal names its field as
// the gateway's own validation of a query does.
const field = (name: string) => `query.${name}`;

/** The window asked for, `to` defaulting to now and `from` to 90 days before `to`; refusals name the field. */
export function analyticsWindow(input: { from: Date | null; to: Date | null; now: Date }): AnalyticsWindow {
  const to = input.to ?? input.now;
  const from = input.from ?? new Date(to.getTime() - analyticsWindowDaysDefault * dayMs);
  if (!(to > from)) {
    throw new ProblemError('validation_failed', 'The window must end after it starts.', [
      input.to
        ? { field: field('to'), message: 'must be after from' }
        : { field: field('from'), message: 'must be before now' },
    ]);
  }
  if (to.getTime() - from.getTime() > analyticsWindowDaysMax * dayMs) {
    throw new ProblemError('validation_failed', `A window covers at most ${analyticsWindowDaysMax} days.`, [
      { field: field('from'), message: `at most ${analyticsWindowDaysMax} days before to` },
    ]);
  }
  return { from, to };
}

export interface ProgramSegments {
  programId: string;
  programName: string;
  partnerId: string;
  activeMembers: bigint;
  segments: SegmentFigures[];
}

export interface CurrencySegments {
  currency: string;
  activeMembers: bigint;
  segments: SegmentFigures[];
}

export interface RfmReport {
  window: AnalyticsWindow;
  programs: ProgramSegments[];
  /** Across the alliance, per settlement currency; null for a partner. */
  alliance: CurrencySegments[] | null;
}

const activeMembers = (segments: SegmentFigures[]) =>
  segments.reduce((total, figures) => total + figures.members, 0n);

/** RFM segments of one programme (the caller's own, for a partner) or of every programme in view. */
export async function rfmSegments(
  context: ServiceContext,
  viewer: AnalyticsViewer,
  input: { programId: string | null; window: AnalyticsWindow },
): Promise<RfmReport> {
  const partnerId = viewer.kind === 'partner' ? viewer.partnerId : null;
  const program = input.programId
    ? partnerId
      ? await requireOwnProgram(context, partnerId, input.programId, field('programId'))
      : await requireProgram(context, input.programId, field('programId'))
    : null;
  const [cells, allianceCells] = await Promise.all([
    programRfmCells(context.db, { partnerId, programId: input.programId }, input.window),
    viewer.kind === 'alliance' && !input.programId ? allianceRfmCells(context.db, input.window) : null,
  ]);
  const programs: ProgramSegments[] = [...new Set(cells.map((cell) => cell.programId))].map((programId) => {
    const ofProgram = cells.filter((cell) => cell.programId === programId);
    const [first] = ofProgram;
    const segments = segmentCounts(ofProgram);
    return {
      programId,
      programName: first?.programName ?? '',
      partnerId: first?.partnerId ?? '',
      activeMembers: activeMembers(segments),
      segments,
    };
  });
  // A programme asked for by id is answered even when none of its members was active.
  if (program && programs.length === 0) {
    programs.push({
      programId: program.id,
      programName: program.name,
      partnerId: program.partner_id,
      activeMembers: 0n,
      segments: segmentCounts([]),
    });
  }
  const currencies = [...new Set((allianceCells ?? []).map((cell) => cell.currency))];
  return {
    window: input.window,
    programs,
    alliance: allianceCells
      ? currencies.map((currency) => {
          const segments = segmentCounts(allianceCells.filter((cell) => cell.currency === currency));
          return { currency, activeMembers: activeMembers(segments), segments };
        })
      : null,
  };
}

export const brandPairsLimitMax = 100;

/** The programme pairs points moved between most in the window; for a partner, those touching its programmes. */
export async function brandPairs(
  context: ServiceContext,
  viewer: AnalyticsViewer,
  input: { window: AnalyticsWindow; limit: number },
): Promise<BrandPair[]> {
  if (!(Number.isInteger(input.limit) && input.limit >= 1 && input.limit <= brandPairsLimitMax)) {
    throw new ProblemError('validation_failed', `Ask for 1 to ${brandPairsLimitMax} pairs.`, [
      { field: field('limit'), message: `from 1 to ${brandPairsLimitMax}` },
    ]);
  }
  return topBrandPairs(context.db, {
    partnerId: viewer.kind === 'partner' ? viewer.partnerId : null,
    window: input.window,
    limit: input.limit,
  });
}

export interface ConversionReport {
  window: AnalyticsWindow;
  programs: LinkConversion[];
  /** Every programme in view added up. */
  total: LinkConversion;
}

/** Conversion from link to first transfer of the links made in the window, per programme in view and in total. */
export async function linkConversionReport(
  context: ServiceContext,
  viewer: AnalyticsViewer,
  input: { window: AnalyticsWindow },
): Promise<ConversionReport> {
  const rows = await linkConversion(
    context.db,
    { partnerId: viewer.kind === 'partner' ? viewer.partnerId : null, programId: null },
    input.window,
  );
  const total = rows.find((row) => row.programId === null);
  if (!total) throw new Error('the conversion query returned no total row');
  return { window: input.window, programs: rows.filter((row) => row.programId !== null), total };
}
