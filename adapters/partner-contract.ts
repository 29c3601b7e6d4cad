// The contract a partner's loyalty system implements for the gateway (openapi/partner.json is
// generated from the reference partner, which declares its routes with these shapes). Points are
// decimal strings, so no JSON number ever rounds them.
import { z } from '@hono/zod-openapi';
import { int8Max } from '../domain/arithmetic.ts';

export const Points = z
  .string()
  .regex(/^[1-9]\d{0,18}$/, 'a whole number of points above zero, as a string')
  .refine((value) => BigInt(value) <= int8Max, `at most ${int8Max}`)
  .openapi({ example: '1000', description: `A whole number of points above zero, at most ${int8Max}.` });

export const OperationKey = z.string().min(1).max(200).openapi({
  description: "The step's idempotency key, `<transferId>:<step>`; the same key never takes effect twice.",
});

export const ExpiryPortion = z
  .object({
    points: Points,
    expiresAt: z.iso
      .datetime({ offset: true })
      .nullable()
      .openapi({ description: 'When these points expire; null: never.' }),
  })
  .openapi('ExpiryPortion');

export const ExpiryProfile = z.array(ExpiryPortion).min(1).max(1_000).openapi('ExpiryProfile', {
  description:
    'What some points are made of, by expiry: soonest first, never-expiring last, the portions summing to the points.',
});

export const ReserveBody = z
  .object({
    key: OperationKey,
    accountRef: z.string().min(1).max(200),
    points: Points,
    expiresAt: z.iso.datetime({ offset: true }),
    reason: z.string().max(500),
  })
  .openapi('ReserveRequest');

export const CreditBody = z
  .object({
    key: OperationKey,
    accountRef: z.string().min(1).max(200),
    points: Points,
    reason: z.string().max(500),
    expiryProfile: ExpiryProfile.optional().openapi({
      description:
        "What the points credited were paid with (its portions sum to `points`): for a transfer's credit, what its points were made of at the source, scaled; for points given back to the member (a reversal's return, a coupon refunded when it expired unused, a points payment's uncaptured rest or refund), what your own reservation answered. Make each portion's points expire no later than its expiresAt (null: as your own rule gives), nor later than your own rule gives. Absent: your own rule alone.",
    }),
  })
  .openapi('CreditRequest');

export const ResolveBody = z.object({ key: OperationKey }).openapi('ResolveRequest');

export const ReverseBody = z
  .object({
    key: OperationKey,
    points: Points.openapi({
      description:
        "The most to take back. The partner takes what the member still has of it, never more than the credit's points not yet reversed.",
    }),
    reason: z.string().max(500),
  })
  .openapi('ReverseRequest', {
    description:
      'Takes back (part of) a credit. A credit may be reversed in parts, each under its own key. Answered with the points actually taken back; insufficient_points when the member has none of them left.',
  });

export const OperationResult = z
  .object({
    key: z.string(),
    status: z.enum(['reserved', 'posted', 'voided', 'credited', 'reversed']),
    expiryProfile: ExpiryProfile.optional().openapi({
      description:
        'A reservation (also on a repeat of its key): what the held points are made of, if your system keeps points with an expiry. The gateway passes it on with the credit at the target, and with points it gives back to the member later, so points about to expire are not made fresh. Hold the soonest-expiring points first.',
    }),
  })
  .openapi('OperationResult');

export const ReverseResult = z
  .object({
    key: z.string(),
    status: z.literal('reversed'),
    reversedPoints: z
      .string()
      .regex(/^[1-9]\d{0,18}$/)
      .openapi({
        description: 'The points taken back: at most the points asked, fewer when the member spent the rest.',
      }),
  })
  .openapi('ReverseResult', { description: 'A repeat of the key answers with the same figure.' });

export const OperationState = z
  .object({ key: z.string(), state: z.enum(['succeeded', 'abandoned']) })
  .openapi('OperationState', {
    description:
      'succeeded: the operation took effect. abandoned: it did not, and since this question it never will; a request with this key arriving later is refused with operation_abandoned.',
  });

export const Refusal = z.object({ code: z.string(), detail: z.string() }).openapi('Refusal', {
  description:
    'A final answer: insufficient_points, account_unknown, reservation_expired, operation_abandoned, ...',
});

export const Balance = z
  .object({ accountRef: z.string(), availablePoints: z.string(), postedPoints: z.string() })
  .openapi('Balance');

export const TransactionsQuery = z.object({
  from: z.iso.datetime({ offset: true }).openapi({ param: { name: 'from', in: 'query' } }),
  to: z.iso.datetime({ offset: true }).openapi({ param: { name: 'to', in: 'query' } }),
});

export const Transactions = z
  .object({
    transactions: z.array(
      z.object({
        key: z.string(),
        operation: z.enum(['reserve', 'post', 'void', 'credit', 'reverse']),
        accountRef: z.string().nullable(),
        points: z.string(),
        status: z.string().openapi({
          description:
            'reserve: reserved, posted, voided or expired (as it stands now); credit: credited, or reversed once reversed in full; post: posted; void: voided; reverse: reversed.',
        }),
        at: z.string(),
      }),
    ),
  })
  .openapi('Transactions', {
    description: 'Operations that took effect in [from, to), oldest first, at most 5,000.',
  });

// The catalog feed: a partner that runs its own catalog lists a programme's items, and the gateway's
// Schedule makes the shared catalog follow the list (adds, new versions, withdrawals).

/** The gateway's text rule (no control characters, no unpaired surrogates), as PostgreSQL stores text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point.
const feedTextPattern = /^(?:[^\x00-\x1f\x7f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;
const feedText = (min: number, max: number) =>
  z.string().regex(feedTextPattern, 'must not contain control characters').min(min).max(max);
const feedInstant = z.iso.datetime({ offset: true });
const feedUrl = feedText(1, 2000).pipe(z.url({ protocol: /^https?$/ }));

export const CatalogQuery = z.object({
  programId: z
    .string()
    .min(1)
    .max(64)
    .openapi({
      param: { name: 'programId', in: 'query' },
      description: "The gateway's id of your programme whose items are asked (its prices are in its points).",
    }),
  cursor: z
    .string()
    .max(200)
    .optional()
    .openapi({
      param: { name: 'cursor', in: 'query' },
      description: 'The nextCursor of the page before; absent for the first page.',
    }),
});

export const CatalogFeedItem = z
  .object({
    externalRef: feedText(1, 200).openapi({
      description: 'Your id of the item: the same item keeps it from one read to the next.',
    }),
    kind: z.enum(['coupon', 'product']),
    title: feedText(1, 200),
    description: feedText(0, 4000).default(''),
    imageUrls: z.array(feedUrl).max(10).default([]),
    tags: z.array(feedText(1, 50)).max(20).default([]),
    pricePoints: Points.openapi({ description: "The price in this programme's own points." }),
    stock: z
      .string()
      .regex(/^(0|[1-9]\d{0,18})$/)
      .refine((value) => BigInt(value) <= int8Max, `at most ${int8Max}`)
      .openapi({ description: 'How many can be sold in all, those sold already included.' }),
    saleStartsAt: feedInstant.nullable().default(null).openapi({
      description: 'null: on sale from when the gateway first reads the item.',
    }),
    saleEndsAt: feedInstant.nullable().default(null),
    perMemberLimit: z.number().int().min(1).max(1_000_000).nullable().default(null),
    coupon: z
      .object({
        faceValue: z
          .object({
            amountMinor: z.string().regex(/^[1-9]\d{0,18}$/),
            currency: z.string().regex(/^[A-Z]{3}$/),
          })
          .nullable()
          .default(null),
        validity: z
          .union([
            z.object({ days: z.number().int().min(1).max(3650) }).strict(),
            z.object({ until: feedInstant }).strict(),
          ])
          .nullable()
          .default(null),
        terms: feedText(0, 2000).default(''),
        refundOnExpiry: z.boolean().default(false),
        codes: z.enum(['generated', 'pool']).default('generated').openapi({
          description:
            'generated: the gateway makes each code. pool: codes you upload to the gateway (POST /v1/catalog/items/{itemId}/codes).',
        }),
      })
      .optional()
      .openapi({ description: "A coupon's terms (kind coupon)." }),
    product: z
      .object({ fulfilment: z.enum(['shipping', 'pickup']) })
      .optional()
      .openapi({ description: "A product's fulfilment (kind product)." }),
  })
  .openapi('CatalogFeedItem');

export const catalogPageSizeMax = 500;

export const CatalogFeedPage = z
  .object({
    items: z.array(CatalogFeedItem).max(catalogPageSizeMax),
    nextCursor: z.string().min(1).max(200).nullable(),
  })
  .openapi('CatalogFeedPage', {
    description:
      "One page of the programme's catalog. Every read lists the whole catalog: an item left out is withdrawn from the shared catalog. nextCursor null: the last page.",
  });

/** The page as the gateway first reads it: each item is then checked alone, so one bad item spoils no other. */
export const CatalogFeedEnvelope = z.object({
  items: z.array(z.unknown()).max(catalogPageSizeMax),
  nextCursor: z.string().min(1).max(200).nullable(),
});
