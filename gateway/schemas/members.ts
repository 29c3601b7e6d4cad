// Member links: a partner asserts that its account belongs to an alliance member, with consent.
import { z } from '@hono/zod-openapi';
import { consentScopes } from '../../domain/consent.ts';
import type { MemberLink } from '../../store/database.ts';
import { text } from './common.ts';
import { id } from './ids.ts';

export const CreateLinkBody = z
  .object({
    memberId: id('mbr')
      .nullable()
      .default(null)
      .openapi({ description: 'The alliance member to link; null enrols a new member.' }),
    programId: id('prg'),
    accountRef: text({ min: 1, max: 200, trim: true }).openapi({
      description: "The member's account in your programme.",
    }),
    tier: text({ min: 1, max: 50, trim: true }).nullable().default(null),
    consent: z.object({
      grantedAt: z.iso.datetime({ offset: true }),
      scopes: z.array(z.enum(consentScopes)).min(1).openapi({
        description:
          'transfers: points may move to and from this programme at your request. pull_transfers: the partner at the other end of an agreement may also request a transfer out of this programme for the member. redemptions: the member may spend these points in the catalog.',
      }),
      reference: text({ min: 1, max: 500, trim: true }).openapi({
        description: 'Where you keep the proof of consent.',
      }),
    }),
  })
  .openapi('CreateMemberLink');

export const RevokeLinkBody = z
  .object({ reason: text({ min: 1, max: 500, trim: true }) })
  .openapi('RevokeMemberLink');

export const LinkSchema = z
  .object({
    id: z.string(),
    memberId: z.string(),
    programId: z.string(),
    accountRef: z.string(),
    tier: z.string().nullable(),
    consent: z.object({ grantedAt: z.string(), scopes: z.array(z.string()), reference: z.string() }),
    linkedAt: z.string(),
    coolingOffUntil: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi('MemberLink');

export function linkView(link: MemberLink): z.infer<typeof LinkSchema> {
  return {
    id: link.id,
    memberId: link.member_id,
    programId: link.program_id,
    accountRef: link.account_ref,
    tier: link.tier,
    consent: {
      grantedAt: link.consent_granted_at.toISOString(),
      scopes: link.consent_scopes,
      reference: link.consent_reference,
    },
    linkedAt: link.linked_at.toISOString(),
    coolingOffUntil: link.cooling_off_until.toISOString(),
    revokedAt: link.revoked_at?.toISOString() ?? null,
  };
}
