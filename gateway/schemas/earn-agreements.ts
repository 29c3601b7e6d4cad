// Earn agreements as programme owners and merchants write and read them.
import { z } from '@hono/zod-openapi';
import type { EarnTerms } from '../../domain/accrual.ts';
import type { EarnAgreementVersionRecord } from '../../store/earn-agreements.ts';
import { AmountOut, NonNegativeIntegerString, PositiveIntegerString } from './amounts.ts';
import { text } from './common.ts';
import { id } from './ids.ts';

const Instant = z.iso.datetime({ offset: true });
const Currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code');

export const ProposeEarnAgreementBody = z
  .object({
    merchantPartnerId: id('ptn').openapi({ description: 'The partner whose purchases earn the points.' }),
    programId: id('prg').openapi({ description: 'The earning programme: yours.' }),
    purchaseCurrency: Currency.openapi({ description: 'The currency the merchant reports purchases in.' }),
    rate: z
      .object({
        points: PositiveIntegerString.openapi({ description: 'Points earned…' }),
        perAmountMinor: PositiveIntegerString.openapi({
          description: '…per this much of the purchase, in minor units.',
        }),
      })
      .openapi({ example: { points: '1', perAmountMinor: '1000' } }),
    tierBonuses: z
      .array(
        z.object({
          tier: text({ min: 1, max: 50 }),
          multiplierNumerator: PositiveIntegerString,
          multiplierDenominator: PositiveIntegerString,
        }),
      )
      .max(20)
      .default([])
      .openapi({
        description:
          "Members of a tier (their link's tier at your programme) earn points × numerator / denominator.",
      }),
    price: z.object({
      amountMinor: NonNegativeIntegerString.openapi({
        description: 'What the merchant pays you, in minor units…',
      }),
      perPoints: PositiveIntegerString.openapi({ description: '…for this many points credited.' }),
      currency: Currency,
    }),
    effectiveFrom: Instant,
    effectiveUntil: Instant.nullable().default(null),
  })
  .strict()
  .superRefine((body, context) => {
    if (body.effectiveUntil !== null && Date.parse(body.effectiveUntil) <= Date.parse(body.effectiveFrom)) {
      context.addIssue({ code: 'custom', path: ['effectiveUntil'], message: 'must be after effectiveFrom' });
    }
    body.tierBonuses.forEach((bonus, index) => {
      if (bonus.multiplierNumerator < bonus.multiplierDenominator) {
        context.addIssue({
          code: 'custom',
          path: ['tierBonuses', index, 'multiplierNumerator'],
          message: 'a bonus is at least 1: at least the denominator',
        });
      }
      if (body.tierBonuses.findIndex((other) => other.tier === bonus.tier) !== index) {
        context.addIssue({ code: 'custom', path: ['tierBonuses', index, 'tier'], message: 'named twice' });
      }
    });
  })
  .openapi('ProposeEarnAgreement');

export function earnTermsFromBody(body: z.infer<typeof ProposeEarnAgreementBody>): EarnTerms {
  return {
    merchantPartnerId: body.merchantPartnerId,
    programId: body.programId,
    purchaseCurrency: body.purchaseCurrency,
    earnPoints: body.rate.points,
    perAmountMinor: body.rate.perAmountMinor,
    tierBonuses: body.tierBonuses.map((bonus) => ({
      tier: bonus.tier,
      multiplier: { numerator: bonus.multiplierNumerator, denominator: bonus.multiplierDenominator },
    })),
    priceAmountMinor: body.price.amountMinor,
    pricePerPoints: body.price.perPoints,
    priceCurrency: body.price.currency,
    effectiveFrom: new Date(body.effectiveFrom),
    effectiveUntil: body.effectiveUntil === null ? null : new Date(body.effectiveUntil),
  };
}

export const EarnAgreementVersionSchema = z
  .object({
    agreementId: z.string(),
    version: z.number().int(),
    status: z.enum(['proposed', 'accepted']),
    merchantPartnerId: z.string(),
    programId: z.string(),
    purchaseCurrency: z.string(),
    rate: z.object({ points: AmountOut, perAmountMinor: AmountOut }),
    tierBonuses: z.array(
      z.object({ tier: z.string(), multiplierNumerator: AmountOut, multiplierDenominator: AmountOut }),
    ),
    price: z.object({ amountMinor: AmountOut, perPoints: AmountOut, currency: z.string() }),
    effectiveFrom: z.string(),
    effectiveUntil: z.string().nullable(),
    proposedBy: z.string(),
    merchantAcceptedAt: z.string().nullable(),
  })
  .openapi('EarnAgreementVersion');

export function earnVersionView(
  record: EarnAgreementVersionRecord,
): z.infer<typeof EarnAgreementVersionSchema> {
  const { terms } = record;
  return {
    agreementId: record.agreementId,
    version: record.version,
    status: record.merchantAcceptedAt ? 'accepted' : 'proposed',
    merchantPartnerId: terms.merchantPartnerId,
    programId: terms.programId,
    purchaseCurrency: terms.purchaseCurrency,
    rate: { points: String(terms.earnPoints), perAmountMinor: String(terms.perAmountMinor) },
    tierBonuses: terms.tierBonuses.map((bonus) => ({
      tier: bonus.tier,
      multiplierNumerator: String(bonus.multiplier.numerator),
      multiplierDenominator: String(bonus.multiplier.denominator),
    })),
    price: {
      amountMinor: String(terms.priceAmountMinor),
      perPoints: String(terms.pricePerPoints),
      currency: terms.priceCurrency,
    },
    effectiveFrom: terms.effectiveFrom.toISOString(),
    effectiveUntil: terms.effectiveUntil?.toISOString() ?? null,
    proposedBy: record.proposedBy,
    merchantAcceptedAt: record.merchantAcceptedAt?.toISOString() ?? null,
  };
}
