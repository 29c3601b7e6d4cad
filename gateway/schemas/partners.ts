// Request and response shapes of the partner registry, with the OpenAPI names partners see.
import { z } from '@hono/zod-openapi';
import type { PartnerRecord } from '../../store/partners.ts';
import { httpUrl, text } from './common.ts';
import { idParam } from './ids.ts';

export const PartnerIdParam = idParam('ptn', 'partnerId');

export const KidParam = text({ min: 1, max: 200 }).openapi({ param: { name: 'kid', in: 'path' } });

/** A JWK member in base64url (RFC 7518); 2,048 characters hold an RSA modulus of 12,000 bits. */
const base64url = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url')
  .max(2048);

export const PublicJwkSchema = z
  .object({
    kty: z.enum(['RSA', 'EC', 'OKP']),
    alg: z.enum(['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519']),
    kid: text({ min: 1, max: 200 }).optional(),
    use: z.literal('sig').optional(),
    n: base64url.optional(),
    e: base64url.optional(),
    crv: z.enum(['P-256', 'Ed25519']).optional(),
    x: base64url.optional(),
    y: base64url.optional(),
  })
  .strict()
  .openapi('PublicJwk', {
    description:
      'A public signing key as a JWK. Without kid, the RFC 7638 thumbprint is used. Private members are refused.',
  });

const ProgramInput = z.object({
  name: text({ min: 1, max: 200, trim: true }),
  unitName: text({ min: 1, max: 50, trim: true }).openapi({ example: 'miles' }),
  ledger: z.enum(['partner_system', 'hosted']).openapi({
    description: "Where the points live: the partner's own system, or the gateway's hosted ledger.",
  }),
});

export const WebhookUrlBody = z
  .object({
    webhookUrl: httpUrl(2000)
      .nullable()
      .openapi({ description: "Where the partner's webhooks are POSTed from now on; null stops them." }),
  })
  .strict()
  .openapi('WebhookUrl');

export const CreatePartnerBody = z
  .object({
    name: text({ min: 1, max: 200, trim: true }).openapi({ example: 'Harbour Coffee' }),
    webhookUrl: httpUrl(2000).nullable().default(null),
    loyaltyApiUrl: httpUrl(2000).nullable().default(null).openapi({
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
