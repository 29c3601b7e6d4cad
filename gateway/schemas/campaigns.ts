// Programme campaigns and their stacking cap, as partners write and read them.
import { z } from '@hono/zod-openapi';
import type { Ratio } from '../../domain/arithmetic.ts';
import type { StoredCampaign } from '../../store/campaigns.ts';
import { AmountOut } from './amounts.ts';
import { text } from './common.ts';
import { id } from './ids.ts';

const Instant = z.iso.datetime({ offset: true });

/** Small terms keep a quote's stacked ratio within its columns: 1,000,000 is far past any bonus. */
const RatioTerm = z
  .string()
  .regex(/^[1-9]\d{0,6}$/, 'a whole number from 1 to 1000000, as a string of digits')
  .transform((value) => BigInt(value))
  .refine((value) => value <= 1_000_000n, 'at most 1000000')
  .openapi({ example: '2' });

export const CreateCampaignBody = z
  .object({
    programId: id('prg').openapi({
      description: 'Your programme: the campaign adds to transfers into it, or to points earned in it.',
    }),
    name: text({ min: 1, max: 200 }),
    appliesTo: z.enum(['transfers_in', 'accruals']).default('transfers_in').openapi({
      description:
        'What the campaign multiplies: transfers into the programme, or points members earn in it at partner merchants (accruals: double-points days, a tier’s earn bonus).',
    }),
    sourceProgramId: id('prg').nullable().default(null).openapi({
      description:
        'Only transfers from this programme (a campaign on one agreement); null: every transfer in. Always null for accruals.',
    }),
    tier: text({ min: 1, max: 50 }).nullable().default(null).openapi({
      description: 'Only members with this tier on their link to your programme; null: every member.',
    }),
    multiplierNumerator: RatioTerm,
    multiplierDenominator: RatioTerm.openapi({ example: '1' }),
    startsAt: Instant,
    endsAt: Instant,
  })
  .superRefine((body, context) => {
    if (Date.parse(body.endsAt) <= Date.parse(body.startsAt)) {
      context.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt' });
    }
    if (body.appliesTo === 'accruals' && body.sourceProgramId !== null) {
      context.addIssue({
        code: 'custom',
        path: ['sourceProgramId'],
        message: 'an accrual comes from no programme: leave it null',
      });
    }
    if (body.multiplierNumerator <= body.multiplierDenominator) {
      context.addIssue({
        code: 'custom',
        path: ['multiplierNumerator'],
        message: 'a campaign multiplies by more than one',
      });
    }
  })
  .openapi('CreateCampaign');

export const CampaignSchema = z
  .object({
    id: z.string(),
    programId: z.string(),
    name: z.string(),
    appliesTo: z.enum(['transfers_in', 'accruals']),
    sourceProgramId: z.string().nullable(),
    tier: z.string().nullable(),
    multiplierNumerator: AmountOut,
    multiplierDenominator: AmountOut,
    startsAt: z.string(),
    endsAt: z.string().openapi({ description: 'When it stops: its planned end, or when you ended it.' }),
    endedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Campaign');

export function campaignView(campaign: StoredCampaign): z.infer<typeof CampaignSchema> {
  return {
    id: campaign.id,
    programId: campaign.programId,
    name: campaign.name,
    appliesTo: campaign.appliesTo,
    sourceProgramId: campaign.sourceProgramId,
    tier: campaign.tier,
    multiplierNumerator: String(campaign.multiplier.numerator),
    multiplierDenominator: String(campaign.multiplier.denominator),
    startsAt: campaign.startsAt.toISOString(),
    endsAt: campaign.endsAt.toISOString(),
    endedAt: campaign.endedAt?.toISOString() ?? null,
    createdAt: campaign.createdAt.toISOString(),
  };
}

export const SetCampaignCapBody = z
  .object({ capNumerator: RatioTerm, capDenominator: RatioTerm.openapi({ example: '1' }) })
  .superRefine((body, context) => {
    if (body.capNumerator < body.capDenominator) {
      context.addIssue({ code: 'custom', path: ['capNumerator'], message: 'a cap is at least one' });
    }
  })
  .openapi('SetCampaignCap');

export const CampaignCapSchema = z
  .object({ capNumerator: AmountOut, capDenominator: AmountOut })
  .openapi('CampaignCap', {
    description:
      'How far campaigns stack on a transfer into the programme or an accrual in it: the agreement’s campaign (or tier bonus) times yours never passes it (2/1 when you set none).',
  });

export function capView(cap: Ratio): z.infer<typeof CampaignCapSchema> {
  return { capNumerator: String(cap.numerator), capDenominator: String(cap.denominator) };
}

export const ProgramCampaignsSchema = z
  .object({ cap: CampaignCapSchema, campaigns: z.array(CampaignSchema) })
  .openapi('ProgramCampaigns');
