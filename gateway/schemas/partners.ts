// Request and response shapes of the partner registry, with the OpenAPI names partners see.
import { z } from '@hono/zod-openapi';
import type { PartnerRecord } from '../../store/partners.ts';

export const PartnerIdParam = z
  .string()
  .regex(/^ptn_[0-9a-z]{26}$/, 'must be a partner id like ptn_…')
  .openapi({ param: { name: 'partnerId', in: 'path' }, example: 'ptn_01jh8x4z3e6q2v8k9m0n1p2r3s' });

export const KidParam = z
  .string()
  .min(1)
  .max(200)
  .openapi({ param: { name: 'kid', in: 'path' } });

export const PublicJwkSchema = z
  .object({
    kty: z.enum(['RSA', 'EC', 'OKP']),
    alg: z.enum(['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519']),
    kid: z.string().min(1).max(200).optional(),
    use: z.literal('sig').optional(),
    n: z.string().optional(),
    e: z.string().optional(),
    crv: z.enum(['P-256', 'Ed25519']).optional(),
    x: z.string().optional(),
    y: z.string().optional(),
  })
  .strict()
  .openapi('PublicJwk', {
    description:
      'A public signing key as a JWK. Without kid, the RFC 7638 thumbprint is used. Private members are refused.',
  });

const ProgramInput = z.object({
  name: z.string().trim().min(1).max(200),
  unitName: z.string().trim().min(1).max(50).openapi({ example: 'miles' }),
  ledger: z.enum(['partner_system', 'hosted']).openapi({
    description: "Where the points live: the partner's own system, or the gateway's hosted ledger.",
  }),
});

export const CreatePartnerBody = z
  .object({
    name: z.string().trim().min(1).max(200).openapi({ example: 'Harbour Coffee' }),
    webhookUrl: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .nullable()
      .default(null),
    loyaltyApiUrl: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .nullable()
      .default(null)
      .openapi({
        description:
          "Base URL of the partner's loyalty system (openapi/partner.json); needed for partner_system programmes.",
      }),
    programs: z.array(ProgramInput).min(1).max(10),
    keys: z.array(PublicJwkSchema).min(1).max(5),
  })
  .openapi('CreatePartner');

export const AddKeyBody = z.object({ jwk: PublicJwkSchema }).openapi('AddPartnerKey');

export const PartnerSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.enum(['active', 'suspended']),
    webhookUrl: z.string().nullable(),
    loyaltyApiUrl: z.string().nullable(),
    programs: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        unitName: z.string(),
        ledger: z.enum(['partner_system', 'hosted']),
      }),
    ),
    keys: z.array(
      z.object({
        kid: z.string(),
        alg: z.string(),
        status: z.enum(['active', 'retired']),
        createdAt: z.string(),
        retiredAt: z.string().nullable(),
      }),
    ),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Partner');

export type PartnerView = z.infer<typeof PartnerSchema>;

export function partnerView({ partner, programs, keys }: PartnerRecord): PartnerView {
  return {
    id: partner.id,
    name: partner.name,
    status: partner.status,
    webhookUrl: partner.webhook_url,
    loyaltyApiUrl: partner.loyalty_api_url,
    programs: programs.map((program) => ({
      id: program.id,
      name: program.name,
      unitName: program.unit_name,
      ledger: program.ledger,
    })),
    keys: keys.map((key) => ({
      kid: key.kid,
      alg: key.alg,
      status: key.status,
      createdAt: key.created_at.toISOString(),
      retiredAt: key.retired_at?.toISOString() ?? null,
    })),
    createdAt: partner.created_at.toISOString(),
    updatedAt: partner.updated_at.toISOString(),
  };
}
