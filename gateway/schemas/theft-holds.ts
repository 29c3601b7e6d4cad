// Theft holds as partners read them, and the policy each programme's partner sets.
import { z } from '@hono/zod-openapi';
import { defaultHoldExpirySeconds, type TheftPolicy } from '../../domain/theft-signals.ts';
import type { TransferHold } from '../../store/theft-holds.ts';

export const TransferHoldSchema = z
  .object({
    status: z.enum(['held', 'released', 'cancelled', 'expired']),
    score: z.number().int(),
    threshold: z.number().int(),
    signals: z.array(
      z.object({
        signal: z.enum(['new_link_transfer', 'link_burst', 'transfer_burst', 'balance_drain']),
        weight: z.number().int(),
        detail: z.string(),
      }),
    ),
    expiresAt: z.string(),
    decidedAt: z.string().nullable(),
    decidedBy: z.string().nullable(),
  })
  .openapi('TransferHold', {
    description:
      'Why the transfer was held, and what became of the hold. A held transfer moves nothing until the partner owning its source programme releases it.',
  });

export function holdView(hold: TransferHold): z.infer<typeof TransferHoldSchema> {
  return {
    status: hold.status,
    score: hold.score,
    threshold: hold.threshold,
    signals: hold.signals,
    expiresAt: hold.expiresAt.toISOString(),
    decidedAt: hold.decidedAt?.toISOString() ?? null,
    decidedBy: hold.decidedBy,
  };
}

export const TransferHoldListItemSchema = TransferHoldSchema.extend({
  id: z.string().openapi({ description: 'The held transfer.' }),
  programId: z.string(),
  createdAt: z.string(),
}).openapi('TransferHoldListItem');

export function holdListItemView(hold: TransferHold): z.infer<typeof TransferHoldListItemSchema> {
  return {
    id: hold.transferId,
    programId: hold.programId,
    createdAt: hold.createdAt.toISOString(),
    ...holdView(hold),
  };
}

const weight = z.number().int().min(0).max(1_000);
const seconds = z
  .number()
  .int()
  .min(1)
  .max(90 * 86_400);

export const TheftPolicySchema = z
  .object({
    threshold: z.number().int().min(1).max(10_000).openapi({
      description:
        'A transfer out of the programme whose score (the weights of the signals it sets off) reaches this is held.',
    }),
    holdExpirySeconds: z
      .number()
      .int()
      .min(1)
      .max(30 * 86_400)
      .default(defaultHoldExpirySeconds)
      .openapi({
        description: 'A hold nobody releases or cancels in this time expires; the transfer fails.',
      }),
    signals: z
      .object({
        newLinkTransfer: z.object({ weight, withinSeconds: seconds }).strict().optional().openapi({
          description: "Either of the transfer's links was made less than withinSeconds ago.",
        }),
        linkBurst: z
          .object({ weight, links: z.number().int().min(1).max(100), withinSeconds: seconds })
          .strict()
          .optional()
          .openapi({
            description: 'The member made at least `links` links (revoked ones too) within withinSeconds.',
          }),
        transferBurst: z
          .object({ weight, transfers: z.number().int().min(1).max(100), withinSeconds: seconds })
          .strict()
          .optional()
          .openapi({
            description: 'This is at least the `transfers`-th transfer of the member within withinSeconds.',
          }),
        balanceDrain: z
          .object({
            weight,
            shareBasisPoints: z.number().int().min(1).max(10_000),
            newLinkWithinSeconds: seconds,
          })
          .strict()
          .optional()
          .openapi({
            description:
              'The transfer takes at least shareBasisPoints of the balance at the source, to a target link made less than newLinkWithinSeconds ago. Counted where the gateway keeps the balance (hosted programmes).',
          }),
      })
      .strict()
      .openapi({ description: 'The signals that count; one left out never fires.' }),
  })
  .strict()
  .openapi('TheftHoldPolicy');

export const SetTheftPolicyBody = z
  .object({ policy: TheftPolicySchema.nullable() })
  .strict()
  .openapi('SetTheftHoldPolicy', { description: 'The policy, or null to hold nothing.' });

export const TheftPolicyReplySchema = z
  .object({ policy: TheftPolicySchema.nullable() })
  .openapi('TheftHoldPolicyReply');

export function policyView(policy: TheftPolicy | null): z.infer<typeof TheftPolicyReplySchema> {
  return { policy };
}
