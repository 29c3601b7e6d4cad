// Catalog items, price quotes, orders and coupons as partners send and read them.
import { z } from '@hono/zod-openapi';
import type { OfferedItem } from '../../services/catalog.ts';
import type { ItemWithVersion } from '../../store/catalog.ts';
import type { CatalogOrder, CatalogOrderStep, Coupon } from '../../store/database.ts';
import { AmountOut, NonNegativeIntegerString, PositiveIntegerString } from './amounts.ts';
import { httpUrl, text } from './common.ts';
import { id, idParam } from './ids.ts';

const Instant = z.iso.datetime({ offset: true });

const CouponTerms = z
  .object({
    faceValue: z
      .object({
        amountMinor: PositiveIntegerString,
        currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code'),
      })
      .nullable()
      .default(null),
    validity: z
      .union([
        z.object({ days: z.number().int().min(1).max(3650) }).strict(),
        z.object({ until: Instant }).strict(),
      ])
      .nullable()
      .default(null)
      .openapi({ description: 'Valid this many days after issue, or until a fixed end; null: no end.' }),
    terms: text({ max: 2000 }).default(''),
    refundOnExpiry: z.boolean().default(false).openapi({
      description: 'An expired, unused coupon gives the member its points back.',
    }),
    codes: z.enum(['generated', 'pool']).default('generated').openapi({
      description:
        'generated: the gateway makes each code (unguessable, with a check character). pool: codes you upload (POST …/codes), one per order.',
    }),
  })
  .strict();

const ItemTermsFields = {
  title: text({ min: 1, max: 200, trim: true }),
  description: text({ max: 4000 }).default(''),
  imageUrls: z.array(httpUrl(2000)).max(10).default([]),
  tags: z
    .array(text({ min: 1, max: 50, trim: true }))
    .max(20)
    .default([]),
  pricePoints: PositiveIntegerString.openapi({ description: "The price in your programme's own points." }),
  stock: NonNegativeIntegerString.openapi({ description: 'How many can be sold in all.' }),
  saleStartsAt: Instant.optional(),
  saleEndsAt: Instant.nullable().default(null),
  perMemberLimit: z.number().int().min(1).max(1_000_000).nullable().default(null),
  coupon: CouponTerms.optional(),
  product: z
    .object({ fulfilment: z.enum(['shipping', 'pickup']) })
    .strict()
    .optional(),
};

const DrawTerms = z
  .object({
    winners: z.number().int().min(1).max(100_000).openapi({ description: 'How many entries win.' }),
    prize: z
      .object({
        description: text({ min: 1, max: 2000 }),
        couponItemId: id('itm')
          .nullable()
          .default(null)
          .openapi({ description: 'A coupon item of yours (generated codes) each winner receives.' }),
      })
      .strict(),
    consolationCouponItemId: id('itm')
      .nullable()
      .default(null)
      .openapi({ description: 'A coupon item of yours each losing entry receives; null: none.' }),
    closesAt: Instant.openapi({ description: 'Entries are sold until then; the winners are drawn then.' }),
  })
  .strict()
  .openapi('DrawTerms', {
    description:
      'An entry is an order of the draw. Winners are drawn from a seed committed to at publication (details.commitment) and the entry list; docs/draws.md.',
  });

export const PublishItemBody = z
  .object({
    programId: id('prg'),
    kind: z.enum(['coupon', 'product', 'draw']),
    externalRef: text({ min: 1, max: 200 }).nullable().default(null).openapi({
      description:
        'Your own id of the item, unique among your items (another item with it: 409 external_ref_taken). The catalog sync keys items by it.',
    }),
    ...ItemTermsFields,
    draw: DrawTerms.optional(),
  })
  .strict()
  .openapi('PublishItem');

export const ReviseItemBody = z.object(ItemTermsFields).strict().openapi('ReviseItem', {
  description: 'The whole of the new version; the item keeps its kind and programme.',
});

export const ItemCodesBody = z
  .object({
    // A call at most 1,000 codes: more fit no body the gateway accepts; a larger pool is sent in parts.
    codes: z
      .array(text({ min: 1, max: 100, trim: true }))
      .min(1)
      .max(1_000),
  })
  .strict()
  .openapi('AddItemCodes');

export const ItemPath = z.object({ itemId: idParam('itm', 'itemId') });
export const OrderPath = z.object({ orderId: idParam('ord', 'orderId') });

export const ItemSchema = z
  .object({
    id: z.string(),
    publisherId: z.string(),
    programId: z.string(),
    kind: z.enum(['coupon', 'product', 'draw']),
    status: z.enum(['active', 'withdrawn']),
    version: z.number().int(),
    externalRef: z.string().nullable(),
    title: z.string(),
    description: z.string(),
    imageUrls: z.array(z.string()),
    tags: z.array(z.string()),
    pricePoints: AmountOut.openapi({ description: "In the publisher's points." }),
    stock: z.object({ total: AmountOut, left: AmountOut }),
    saleStartsAt: z.string(),
    saleEndsAt: z.string().nullable(),
    perMemberLimit: z.number().int().nullable(),
    details: z.record(z.string(), z.unknown()),
    price: z
      .object({
        memberPoints: AmountOut.openapi({ description: "What it costs in the member's programme's points." }),
        programId: z.string(),
      })
      .optional(),
  })
  .openapi('CatalogItem');

export function itemView(found: ItemWithVersion, price?: { memberPoints: bigint; programId: string }) {
  const { item, version } = found;
  return {
    id: item.id,
    publisherId: item.publisher_id,
    programId: item.program_id,
    kind: item.kind,
    status: item.status,
    version: version.version,
    externalRef: item.external_ref,
    title: version.title,
    description: version.description,
    imageUrls: version.image_urls,
    tags: version.tags,
    pricePoints: String(version.price_points),
    stock: { total: String(item.stock_total), left: String(item.stock_left) },
    saleStartsAt: version.sale_starts_at.toISOString(),
    saleEndsAt: version.sale_ends_at?.toISOString() ?? null,
    perMemberLimit: version.per_member_limit,
    details: {
      ...(version.details as Record<string, unknown>),
      ...(item.code_source ? { codes: item.code_source } : {}),
    },
    ...(price ? { price: { memberPoints: String(price.memberPoints), programId: price.programId } } : {}),
  };
}

export const offeredView = (offered: OfferedItem, programId: string) =>
  itemView(offered, { memberPoints: offered.price.memberPoints, programId });

export const BrowseQuery = z.object({
  memberId: id('mbr').openapi({ param: { name: 'memberId', in: 'query' } }),
  programId: id('prg').openapi({
    param: { name: 'programId', in: 'query' },
    description: "The member's programme: prices are in its points.",
  }),
  tag: text({ min: 1, max: 50 })
    .optional()
    .openapi({ param: { name: 'tag', in: 'query' } }),
  publisherId: id('ptn')
    .optional()
    .openapi({ param: { name: 'publisherId', in: 'query' } }),
  minPoints: NonNegativeIntegerString.optional().openapi({ param: { name: 'minPoints', in: 'query' } }),
  maxPoints: NonNegativeIntegerString.optional().openapi({ param: { name: 'maxPoints', in: 'query' } }),
  inStock: z
    .enum(['true', 'false'])
    .default('false')
    .openapi({ param: { name: 'inStock', in: 'query' } }),
  onSaleNow: z
    .enum(['true', 'false'])
    .default('true')
    .openapi({ param: { name: 'onSaleNow', in: 'query' } }),
  limit: z
    .string()
    .regex(/^(100|[1-9][0-9]?)$/, 'a whole number from 1 to 100, in decimal digits')
    .optional()
    .transform((value) => (value === undefined ? 20 : Number(value)))
    .openapi({ param: { name: 'limit', in: 'query' } }),
  cursor: id('itm')
    .optional()
    .openapi({ param: { name: 'cursor', in: 'query' } }),
});

export const PriceQuoteBody = z
  .object({ memberId: id('mbr'), programId: id('prg'), itemId: id('itm') })
  .strict()
  .openapi('CreatePriceQuote');

export const PlaceOrderBody = z
  .object({ quoteId: id('qte') })
  .strict()
  .openapi('PlaceOrder');

export const CouponSchema = z
  .object({
    id: z.string(),
    code: z.string(),
    status: z.enum(['issued', 'redeemed', 'expired', 'refunded']),
    itemId: z.string(),
    orderId: z.string(),
    validUntil: z.string().nullable(),
    issuedAt: z.string(),
    redeemedAt: z.string().nullable(),
  })
  .openapi('Coupon');

/** A generated code (13 plain characters) is shown grouped as it was issued. */
function shownCode(code: string): string {
  return /^[0-9A-Z]{13}$/.test(code)
    ? `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8, 12)}-${code.slice(12)}`
    : code;
}

export function couponView(coupon: Coupon) {
  return {
    id: coupon.id,
    code: shownCode(coupon.code),
    status: coupon.status,
    itemId: coupon.item_id,
    orderId: coupon.order_id,
    validUntil: coupon.valid_until?.toISOString() ?? null,
    issuedAt: coupon.issued_at.toISOString(),
    redeemedAt: coupon.redeemed_at?.toISOString() ?? null,
  };
}

export const OrderSchema = z
  .object({
    id: z.string(),
    status: z.enum(['reserved', 'completed', 'failed', 'needs_attention']),
    itemId: z.string(),
    itemVersion: z.number().int(),
    quoteId: z.string(),
    memberId: z.string(),
    programId: z.string(),
    debitPoints: AmountOut,
    failure: z.object({ code: z.string(), detail: z.string() }).nullable(),
    coupon: CouponSchema.nullable(),
    steps: z.array(
      z.object({ step: z.string(), outcome: z.string(), detail: z.string().nullable(), at: z.string() }),
    ),
    createdAt: z.string(),
  })
  .openapi('CatalogOrder');

export function orderView(order: CatalogOrder, steps: CatalogOrderStep[], coupon: Coupon | null | undefined) {
  return {
    id: order.id,
    status: order.status,
    itemId: order.item_id,
    itemVersion: order.item_version,
    quoteId: order.quote_id,
    memberId: order.member_id,
    programId: order.program_id,
    debitPoints: String(order.debit_points),
    failure: order.failure_code ? { code: order.failure_code, detail: order.failure_detail ?? '' } : null,
    coupon: coupon ? couponView(coupon) : null,
    steps: steps.map((step) => ({
      step: step.step,
      outcome: step.outcome,
      detail: step.detail,
      at: step.at.toISOString(),
    })),
    createdAt: order.created_at.toISOString(),
  };
}

export const CouponCodeBody = z
  .object({ code: text({ min: 1, max: 100, trim: true }) })
  .strict()
  .openapi('CouponCode');

export const CouponVerdictSchema = z
  .object({
    valid: z.boolean(),
    reason: z.enum(['unknown', 'malformed', 'redeemed', 'expired', 'refunded']).nullable(),
    coupon: CouponSchema.nullable(),
  })
  .openapi('CouponVerdict');
