// Rate agreements as partners write and read them.
import { z } from '@hono/zod-openapi';
import type { AgreementVersionRecord, ProposedTerms } from '../../store/rate-agreements.ts';
import { AmountOut, NonNegativeIntegerString, PositiveIntegerString } from './amounts.ts';
import { text } from './common.ts';
import { id } from './ids.ts';

const Instant = z.iso.datetime({ offset: true });

export const ProposeAgreementBody = z
  .object({
    sourceProgramId: id('prg'),
    targetProgramId: id('prg'),
    fromPoints: PositiveIntegerString.openapi({
      description: 'Source points in the ratio: toPoints are credited per fromPoints.',
    }),
    toPoints: PositiveIntegerString,
    feeBasisPoints: z.number().int().min(0).max(10_000),
    feePayer: z.enum(['source_partner', 'member']),
    reversalShortfallPayer: z.enum(['source_partner', 'target_partner']).default('source_partner').openapi({
      description:
        'Who bears the points a reversal cannot take back because the member spent them: the source partner (the source member gets back and is owed only what was taken back) or the target partner (it returns the full amount regardless).',
    }),
    sourcePointsMin: PositiveIntegerString,
    sourcePointsMax: PositiveIntegerString,
    memberDailyCapSourcePoints: PositiveIntegerString,
    settlement: z.object({
      amountMinor: NonNegativeIntegerString.openapi({
        description: 'What the source partner pays, in minor units…',
      }),
      perTargetPoints: PositiveIntegerString.openapi({ description: '…for this many destination points.' }),
      currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code'),
    }),
    tierRatios: z
      .array(
        z.object({
          tier: text({ min: 1, max: 50 }),
          fromPoints: PositiveIntegerString,
          toPoints: PositiveIntegerString,
        }),
      )
      .max(20)
      .default([]),
    campaigns: z
      .array(
        z.object({
          name: text({ min: 1, max: 200 }),
          startsAt: Instant,
          endsAt: Instant,
          multiplierNumerator: PositiveIntegerString,
          multiplierDenominator: PositiveIntegerString,
        }),
      )
      .max(20)
      .default([]),
    minRemainingLifeDays: z.number().int().min(1).max(3650).nullable().default(null).openapi({
      description:
        'Points a transfer credits expire no sooner than this many days after the transfer, even when the points that paid for them expire sooner (never later than the target programme’s own rule). Null: a credit expires no later than the points that paid for it.',
    }),
    effectiveFrom: Instant,
    effectiveUntil: Instant.nullable().default(null),
  })
  .superRefine((body, context) => {
    if (body.sourcePointsMax < body.sourcePointsMin) {
      context.addIssue({
        code: 'custom',
        path: ['sourcePointsMax'],
        message: 'must be at least sourcePointsMin',
      });
    }
    if (body.effectiveUntil !== null && Date.parse(body.effectiveUntil) <= Date.parse(body.effectiveFrom)) {
      context.addIssue({ code: 'custom', path: ['effectiveUntil'], message: 'must be after effectiveFrom' });
    }
    if (body.sourceProgramId === body.targetProgramId) {
      context.addIssue({
        code: 'custom',
        path: ['targetProgramId'],
        message: 'must differ from sourceProgramId',
      });
    }
    body.campaigns.forEach((campaign, index) => {
      if (Date.parse(campaign.endsAt) <= Date.parse(campaign.startsAt)) {
        context.addIssue({
          code: 'custom',
          path: ['campaigns', index, 'endsAt'],
          message: 'must be after startsAt',
        });
      }
    });
  })
  .openapi('ProposeRateAgreement');

export function termsFromBody(body: z.infer<typeof ProposeAgreementBody>): ProposedTerms {
  return {
    sourceProgramId: body.sourceProgramId,
    targetProgramId: body.targetProgramId,
    fromPoints: body.fromPoints,
    toPoints: body.toPoints,
    feeBasisPoints: BigInt(body.feeBasisPoints),
    feePayer: body.feePayer,
    reversalShortfallPayer: body.reversalShortfallPayer,
    sourcePointsMin: body.sourcePointsMin,
    sourcePointsMax: body.sourcePointsMax,
    memberDailyCapSourcePoints: body.memberDailyCapSourcePoints,
    settlementAmountMinor: body.settlement.amountMinor,
    settlementPerTargetPoints: body.settlement.perTargetPoints,
    settlementCurrency: body.settlement.currency,
    tierRatios: body.tierRatios,
    campaigns: body.campaigns.map((campaign) => ({
      name: campaign.name,
      startsAt: new Date(campaign.startsAt),
      endsAt: new Date(campaign.endsAt),
      multiplier: { numerator: campaign.multiplierNumerator, denominator: campaign.multiplierDenominator },
    })),
    minRemainingLifeDays: body.minRemainingLifeDays,
    effectiveFrom: new Date(body.effectiveFrom),
    effectiveUntil: body.effectiveUntil === null ? null : new Date(body.effectiveUntil),
  };
}

export const AgreementVersionSchema = z
  .object({
    agreementId: z.string(),
    version: z.number().int(),
    status: z.enum(['proposed', 'accepted']),
    sourceProgramId: z.string(),
    targetProgramId: z.string(),
    fromPoints: AmountOut,
    toPoints: AmountOut,
    rounding: z.literal('floor'),
    feeBasisPoints: z.number().int(),
    feePayer: z.enum(['source_partner', 'member']),
    reversalShortfallPayer: z.enum(['source_partner', 'target_partner']),
    sourcePointsMin: AmountOut,
    sourcePointsMax: AmountOut,
    memberDailyCapSourcePoints: AmountOut,
    settlement: z.object({ amountMinor: AmountOut, perTargetPoints: AmountOut, currency: z.string() }),
    tierRatios: z.array(z.object({ tier: z.string(), fromPoints: AmountOut, toPoints: AmountOut })),
    campaigns: z.array(
      z.object({
        name: z.string(),
        startsAt: z.string(),
        endsAt: z.string(),
        multiplierNumerator: AmountOut,
        multiplierDenominator: AmountOut,
      }),
    ),
    minRemainingLifeDays: z.number().int().nullable(),
    effectiveFrom: z.string(),
    effectiveUntil: z.string().nullable(),
    proposedBy: z.string(),
    sourceAcceptedAt: z.string().nullable(),
    targetAcceptedAt: z.string().nullable(),
  })
  .openapi('RateAgreementVersion');

export function agreementVersionView(record: AgreementVersionRecord): z.infer<typeof AgreementVersionSchema> {
  const { terms } = record;
  return {
    agreementId: record.agreementId,
    version: record.version,
    status: record.sourceAcceptedAt && record.targetAcceptedAt ? 'accepted' : 'proposed',
    sourceProgramId: terms.sourceProgramId,
    targetProgramId: terms.targetProgramId,
    fromPoints: String(terms.fromPoints),
    toPoints: String(terms.toPoints),
    rounding: terms.rounding,
    feeBasisPoints: Number(terms.feeBasisPoints),
    feePayer: terms.feePayer,
    reversalShortfallPayer: terms.reversalShortfallPayer,
    sourcePointsMin: String(terms.sourcePointsMin),
    sourcePointsMax: String(terms.sourcePointsMax),
    memberDailyCapSourcePoints: String(terms.memberDailyCapSourcePoints),
    settlement: {
      amountMinor: String(terms.settlementAmountMinor),
      perTargetPoints: String(terms.settlementPerTargetPoints),
      currency: terms.settlementCurrency,
    },
    tierRatios: terms.tierRatios.map((tier) => ({
      tier: tier.tier,
      fromPoints: String(tier.fromPoints),
      toPoints: String(tier.toPoints),
    })),
    campaigns: terms.campaigns.map((campaign) => ({
      name: campaign.name,
      startsAt: campaign.startsAt.toISOString(),
      endsAt: campaign.endsAt.toISOString(),
      multiplierNumerator: String(campaign.multiplier.numerator),
      multiplierDenominator: String(campaign.multiplier.denominator),
    })),
    minRemainingLifeDays: terms.minRemainingLifeDays ?? null,
    effectiveFrom: terms.effectiveFrom.toISOString(),
    effectiveUntil: terms.effectiveUntil?.toISOString() ?? null,
    proposedBy: record.proposedBy,
    sourceAcceptedAt: record.sourceAcceptedAt?.toISOString() ?? null,
    targetAcceptedAt: record.targetAcceptedAt?.toISOString() ?? null,
  };
}
