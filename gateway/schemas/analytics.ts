// Alliance analytics as callers ask for and read them: a window, RFM segments, programme pairs,
// conversion from link to first transfer. Counts and amounts travel as decimal strings.
import { z } from '@hono/zod-openapi';
import { analyticsWindowDaysDefault, analyticsWindowDaysMax, segments } from '../../domain/analytics.ts';
import type { RfmReport } from '../../services/analytics.ts';
import type { BrandPair, LinkConversion } from '../../store/analytics.ts';
import { AmountOut } from './amounts.ts';
import { id } from './ids.ts';

const Instant = z.iso.datetime({ offset: true });

const windowQuery = {
  from: Instant.optional().openapi({
    param: { name: 'from', in: 'query' },
    description: `The window starts here (inclusive); ${analyticsWindowDaysDefault} days before to when absent, at most ${analyticsWindowDaysMax} days before it.`,
    example: '2026-09-01T00:00:00+08:00',
  }),
  to: Instant.optional().openapi({
    param: { name: 'to', in: 'query' },
    description:
      'And ends here (exclusive); now when absent. Recency is measured to this instant, so a window ending in the past shows the members as they stood then.',
    example: '2026-11-30T00:00:00+08:00',
  }),
};

export const RfmQuery = z.object({
  programId: id('prg')
    .optional()
    .openapi({
      param: { name: 'programId', in: 'query' },
      description: 'One programme only (for a partner, one of its own); every programme in view when absent.',
    }),
  ...windowQuery,
});

/** Plain decimal digits, 1 to 100: `1e2` or ` 5` are refused, not coerced. */
export const BrandPairsQuery = z.object({
  ...windowQuery,
  limit: z
    .string()
    .regex(/^(100|[1-9][0-9]?)$/, 'a whole number from 1 to 100, in decimal digits')
    .optional()
    .transform((value) => (value === undefined ? 10 : Number(value)))
    .openapi({
      param: { name: 'limit', in: 'query' },
      description: 'How many pairs, 1 to 100 (10 when absent).',
      example: '10',
    }),
});

export const ConversionQuery = z.object(windowQuery);

const WindowSchema = z.object({ from: z.string(), to: z.string() });

const SegmentSchema = z.object({
  segment: z.enum(segments),
  members: AmountOut,
  activities: AmountOut.openapi({ description: 'Their transfers and paid orders in the window.' }),
  monetaryTotal: AmountOut.openapi({
    description:
      "Their monetary value added up: the programme's points per programme, settlement minor units of the currency across the alliance.",
  }),
});

export const RfmSchema = z
  .object({
    window: WindowSchema,
    programs: z.array(
      z.object({
        programId: z.string(),
        programName: z.string(),
        partnerId: z.string(),
        activeMembers: AmountOut,
        segments: z.array(SegmentSchema),
      }),
    ),
    alliance: z
      .array(z.object({ currency: z.string(), activeMembers: AmountOut, segments: z.array(SegmentSchema) }))
      .nullable()
      .openapi({ description: 'Across the alliance, scored per settlement currency; null for a partner.' }),
  })
  .openapi('RfmSegments');

export const BrandPairsSchema = z
  .object({
    window: WindowSchema,
    pairs: z.array(
      z.object({
        sourceProgramId: z.string(),
        sourceProgramName: z.string(),
        sourcePartnerId: z.string(),
        targetProgramId: z.string(),
        targetProgramName: z.string(),
        targetPartnerId: z.string(),
        transfers: AmountOut,
        members: AmountOut,
        debitPoints: AmountOut,
        creditPoints: AmountOut,
      }),
    ),
  })
  .openapi('BrandPairs');

const ConversionFigures = z.object({
  links: AmountOut,
  converted: AmountOut,
  convertedWithin1Day: AmountOut,
  convertedWithin7Days: AmountOut,
  convertedWithin30Days: AmountOut,
  medianSecondsToFirstTransfer: AmountOut.nullable(),
});

export const ConversionSchema = z
  .object({
    window: WindowSchema,
    programs: z.array(ConversionFigures.extend({ programId: z.string(), programName: z.string() })),
    total: ConversionFigures,
  })
  .openapi('LinkConversion');

const windowView = (window: { from: Date; to: Date }) => ({
  from: window.from.toISOString(),
  to: window.to.toISOString(),
});

const segmentView = (figures: RfmReport['programs'][number]['segments'][number]) => ({
  segment: figures.segment,
  members: String(figures.members),
  activities: String(figures.activities),
  monetaryTotal: String(figures.monetaryTotal),
});

export function rfmView(report: RfmReport): z.infer<typeof RfmSchema> {
  return {
    window: windowView(report.window),
    programs: report.programs.map((program) => ({
      programId: program.programId,
      programName: program.programName,
      partnerId: program.partnerId,
      activeMembers: String(program.activeMembers),
      segments: program.segments.map(segmentView),
    })),
    alliance:
      report.alliance?.map((currency) => ({
        currency: currency.currency,
        activeMembers: String(currency.activeMembers),
        segments: currency.segments.map(segmentView),
      })) ?? null,
  };
}

export function brandPairsView(
  window: { from: Date; to: Date },
  pairs: BrandPair[],
): z.infer<typeof BrandPairsSchema> {
  return {
    window: windowView(window),
    pairs: pairs.map((pair) => ({
      ...pair,
      transfers: String(pair.transfers),
      members: String(pair.members),
      debitPoints: String(pair.debitPoints),
      creditPoints: String(pair.creditPoints),
    })),
  };
}

const conversionFigures = (row: LinkConversion) => ({
  links: String(row.links),
  converted: String(row.converted),
  convertedWithin1Day: String(row.convertedWithin1Day),
  convertedWithin7Days: String(row.convertedWithin7Days),
  convertedWithin30Days: String(row.convertedWithin30Days),
  medianSecondsToFirstTransfer:
    row.medianSecondsToFirstTransfer === null ? null : String(row.medianSecondsToFirstTransfer),
});

export function conversionView(report: {
  window: { from: Date; to: Date };
  programs: LinkConversion[];
  total: LinkConversion;
}): z.infer<typeof ConversionSchema> {
  return {
    window: windowView(report.window),
    programs: report.programs.map((row) => ({
      programId: row.programId ?? '',
      programName: row.programName ?? '',
      ...conversionFigures(row),
    })),
    total: conversionFigures(report.total),
  };
}
