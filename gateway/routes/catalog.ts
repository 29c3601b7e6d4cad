// The shared catalog: a partner publishes, edits and withdraws its own items (and fills their code
// pools); a partner browses the catalog for one of its members, prices an item for them and orders
// it. An order answers at once (reserved, sold out, limit reached): its points move afterwards.
import type { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { ProblemError } from '../../domain/errors.ts';
import {
  addItemCodes,
  browseCatalog,
  type ItemDraft,
  publishItem,
  readItem,
  reviseItem,
  withdrawOwnItem,
} from '../../services/catalog.ts';
import {
  type OrderStarter,
  placeOrder,
  quoteItem,
  readOrder,
  soldOutBeforeClaim,
} from '../../services/catalog-orders.ts';
import { type ServiceContext, within } from '../../services/context.ts';
import type { DrawStarter } from '../../services/draws.ts';
import { signedRoute } from '../auth/route-access.ts';
import { callerPartnerId, type GatewayEnv } from '../context.ts';
import { replyWithEffect, requireClaim } from '../idempotency.ts';
import { validBodyOf } from '../json-bodies.ts';
import { problemResponses } from '../problem.ts';
import {
  BrowseQuery,
  ItemCodesBody,
  ItemPath,
  ItemSchema,
  itemView,
  OrderPath,
  OrderSchema,
  offeredView,
  orderView,
  PlaceOrderBody,
  PriceQuoteBody,
  PublishItemBody,
  ReviseItemBody,
} from '../schemas/catalog.ts';
import { IdempotencyHeaders } from '../schemas/common.ts';
import { QuoteSchema, quoteView } from '../schemas/transfers.ts';

const tags = ['Catalog'];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
const body = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

const publishRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/catalog/items',
  tags,
  summary: 'Publish an item (a coupon, a product or a draw) priced in your programme’s points',
  request: { headers: IdempotencyHeaders, body: body(PublishItemBody) },
  responses: { 201: json(ItemSchema, 'The item, version 1'), ...problemResponses(400, 401, 403, 409, 422) },
});

const reviseRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/catalog/items/{itemId}/versions',
  tags,
  summary: 'Edit your item: its next version (orders keep the version they bought)',
  request: { headers: IdempotencyHeaders, params: ItemPath, body: body(ReviseItemBody) },
  responses: {
    201: json(ItemSchema, 'The item at its new version'),
    ...problemResponses(400, 401, 403, 404),
  },
});

const withdrawRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/catalog/items/{itemId}/withdrawal',
  tags,
  summary: 'Withdraw your item from sale (orders placed before stand)',
  request: { headers: IdempotencyHeaders, params: ItemPath },
  responses: { 200: json(ItemSchema, 'The item, withdrawn'), ...problemResponses(401, 403, 404) },
});

const codesRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/catalog/items/{itemId}/codes',
  tags,
  summary: 'Add codes to your pool item (third-party codes, one issued per order)',
  request: { headers: IdempotencyHeaders, params: ItemPath, body: body(ItemCodesBody) },
  responses: {
    200: json(
      ItemSchema.pick({ id: true }).extend({ added: ItemSchema.shape.version }).openapi('CodesAdded'),
      'How many were new',
    ),
    ...problemResponses(400, 401, 403, 404, 413),
  },
});

const readItemRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/catalog/items/{itemId}',
  tags,
  summary: 'An item at its current version',
  request: { params: ItemPath },
  responses: { 200: json(ItemSchema, 'The item'), ...problemResponses(401, 404) },
});

const browseRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/catalog',
  tags,
  summary: "The catalog for one of your members, every price in their programme's points",
  description:
    "Items of every programme your member's programme has an agreement in force with, at the member's tier; the price range applies to the converted price.",
  request: { query: BrowseQuery },
  responses: {
    200: json(
      ItemSchema.array().openapi('CatalogPage'),
      'A page of items (the last item’s id is the next cursor)',
    ),
    ...problemResponses(400, 401, 403, 422),
  },
});

const priceQuoteRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/catalog/quotes',
  tags,
  summary: 'Price an item for your member: the points it costs in their programme, held for a short time',
  request: { headers: IdempotencyHeaders, body: body(PriceQuoteBody) },
  responses: { 201: json(QuoteSchema, 'The price quote'), ...problemResponses(400, 401, 403, 404, 409, 422) },
});

const orderRoute = signedRoute(
  'partner',
  {
    method: 'post',
    path: '/v1/catalog/orders',
    tags,
    summary: 'Order the item a price quote prices: answered at once, reserved or refused',
    description:
      '202: reserved (the stock, the member’s limit and a code are held; the points move next: poll GET /v1/catalog/orders/{orderId} or wait for the catalog.order_completed webhook). 409 sold_out or purchase_limit_reached: nothing was taken. 200: this quote was ordered already.',
    request: { headers: IdempotencyHeaders, body: body(PlaceOrderBody) },
    responses: {
      200: json(OrderSchema, 'The order this quote placed before'),
      202: json(OrderSchema, 'The order, reserved'),
      ...problemResponses(400, 401, 403, 404, 409, 422),
    },
  },
  // The claim (the key and the jti) commits without waiting for the disk. A placed order's own
  // statement commits synchronously, and that flush takes the earlier claim with it (the WAL is
  // written in order), so no order outlives its claim. A claim lost in a database crash before it
  // was of a request that had taken nothing: its retry runs again. A sold-out answer from the claim
  // wrote only its jti; lost, it lets the same signed request be answered once more (sold out, or
  // ordered if restocked), as a retry of its key could be anyway. The reply is stored without
  // waiting either: a 202's key was bound to its order in the order's own durable statement, and a
  // 200 names the order its quote already had, so a reply lost in a crash leaves the key to its
  // lease and its retry finds that same order and answers it again.
  { refuseFirst: soldOutFirst, asyncCommit: true, asyncReply: true },
);

const readOrderRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/catalog/orders/{orderId}',
  tags,
  summary: 'An order with its steps and its coupon (to the partner that placed it, or the publisher)',
  request: { params: OrderPath },
  responses: { 200: json(OrderSchema, 'The order'), ...problemResponses(401, 404) },
});

const jsonMediaType = /^application\/([\w.-]+\+)?json$/i;

/**
 * A sold-out order answered by its key's claim, in one statement: only for a body the route's own
 * validation would pass (JSON, a valid PlaceOrder), so that every other answer comes as before.
 */
function soldOutFirst(c: Context<GatewayEnv>, raw: Uint8Array) {
  const mediaType = (c.req.header('content-type') ?? '').split(';')[0]?.trim() ?? '';
  if (!jsonMediaType.test(mediaType)) return undefined;
  const body = validBodyOf(raw, PlaceOrderBody);
  if (!body) return undefined;
  const partnerId = callerPartnerId(c.var.principal);
  return soldOutBeforeClaim({ partnerId, quoteId: body.quoteId, now: new Date() });
}

function draftTerms(input: z.infer<typeof ReviseItemBody>, now: Date) {
  return {
    title: input.title,
    description: input.description,
    imageUrls: input.imageUrls,
    tags: input.tags,
    pricePoints: input.pricePoints,
    saleStartsAt: input.saleStartsAt ? new Date(input.saleStartsAt) : now,
    saleEndsAt: input.saleEndsAt ? new Date(input.saleEndsAt) : null,
    perMemberLimit: input.perMemberLimit,
  };
}

function draftDetails(input: z.infer<typeof ReviseItemBody>): ItemDraft['details'] {
  if (input.product) return { product: input.product };
  const coupon = input.coupon ?? {
    faceValue: null,
    validity: null,
    terms: '',
    refundOnExpiry: false,
    codes: 'generated' as const,
  };
  return {
    coupon: {
      faceValue: coupon.faceValue && {
        amountMinor: coupon.faceValue.amountMinor,
        currency: coupon.faceValue.currency,
      },
      validity:
        coupon.validity &&
        ('days' in coupon.validity ? coupon.validity : { until: new Date(coupon.validity.until) }),
      terms: coupon.terms,
      refundOnExpiry: coupon.refundOnExpiry,
      codeSource: coupon.codes,
    },
  };
}

function drawTerms(input: z.infer<typeof PublishItemBody>) {
  const { draw } = input;
  if (!draw || input.coupon || input.product) {
    throw new ProblemError('validation_failed', 'A draw needs its draw terms, and only those.', [
      { field: draw ? (input.coupon ? 'coupon' : 'product') : 'draw', message: 'a draw has draw terms only' },
    ]);
  }
  return { ...draw, closesAt: new Date(draw.closesAt) };
}

export function registerCatalogRoutes(
  app: OpenAPIHono<GatewayEnv>,
  context: ServiceContext,
  orders: { startOrder: OrderStarter; quoteLifetimeSeconds: number; startDraw: DrawStarter },
): void {
  app.openapi(publishRoute, async (c) => {
    const input = c.req.valid('json');
    const partnerId = callerPartnerId(c.var.principal);
    const now = new Date();
    if (input.kind !== 'draw' && input.draw) {
      throw new ProblemError('validation_failed', `A ${input.kind} has no draw terms.`, [
        { field: 'draw', message: 'only for a draw' },
      ]);
    }
    const reply = await replyWithEffect(c, context.db, async (trx) => {
      const found = await publishItem(within(context, trx), {
        partnerId,
        draft:
          input.kind === 'draw'
            ? {
                programId: input.programId,
                kind: 'draw',
                externalRef: input.externalRef,
                stock: input.stock,
                terms: draftTerms(input, now),
                draw: drawTerms(input),
                now,
              }
            : {
                programId: input.programId,
                kind: input.kind,
                externalRef: input.externalRef,
                stock: input.stock,
                terms: draftTerms(input, now),
                details:
                  input.kind === 'product'
                    ? { product: input.product ?? { fulfilment: 'pickup' } }
                    : draftDetails({ ...input, product: undefined }),
              },
      });
      return { status: 201 as const, body: itemView(found) };
    });
    // After the commit; a start that fails is made by the worker's sweep of open draws.
    if (reply.body.kind === 'draw') await orders.startDraw(reply.body.id).catch(() => undefined);
    return c.json(reply.body, reply.status);
  });

  app.openapi(reviseRoute, async (c) => {
    const input = c.req.valid('json');
    const partnerId = callerPartnerId(c.var.principal);
    const reply = await replyWithEffect(c, context.db, async (trx) => {
      const found = await reviseItem(within(context, trx), {
        partnerId,
        itemId: c.req.valid('param').itemId,
        terms: draftTerms(input, new Date()),
        details: draftDetails(input),
        stock: input.stock,
      });
      return { status: 201 as const, body: itemView(found) };
    });
    return c.json(reply.body, reply.status);
  });

  app.openapi(withdrawRoute, async (c) => {
    const partnerId = callerPartnerId(c.var.principal);
    const itemId = c.req.valid('param').itemId;
    const reply = await replyWithEffect(c, context.db, async (trx) => {
      await withdrawOwnItem(within(context, trx), { partnerId, itemId });
      return { status: 200 as const, body: itemView(await readItem(within(context, trx), itemId)) };
    });
    return c.json(reply.body, reply.status);
  });

  app.openapi(codesRoute, async (c) => {
    const partnerId = callerPartnerId(c.var.principal);
    const itemId = c.req.valid('param').itemId;
    const reply = await replyWithEffect(c, context.db, async (trx) => {
      const added = await addItemCodes(within(context, trx), {
        partnerId,
        itemId,
        codes: c.req.valid('json').codes,
      });
      return { status: 200 as const, body: { id: itemId, added } };
    });
    return c.json(reply.body, reply.status);
  });

  app.openapi(readItemRoute, async (c) => {
    return c.json(itemView(await readItem(context, c.req.valid('param').itemId)), 200);
  });

  app.openapi(browseRoute, async (c) => {
    const query = c.req.valid('query');
    const items = await browseCatalog(context, {
      partnerId: callerPartnerId(c.var.principal),
      memberId: query.memberId,
      programId: query.programId,
      tag: query.tag ?? null,
      publisherId: query.publisherId ?? null,
      minPoints: query.minPoints ?? null,
      maxPoints: query.maxPoints ?? null,
      inStock: query.inStock === 'true',
      onSaleNow: query.onSaleNow === 'true',
      cursor: query.cursor ?? null,
      limit: query.limit,
      now: new Date(),
    });
    return c.json(
      items.map((item) => offeredView(item, query.programId)),
      200,
    );
  });

  app.openapi(priceQuoteRoute, async (c) => {
    const input = c.req.valid('json');
    const partnerId = callerPartnerId(c.var.principal);
    const reply = await replyWithEffect(c, context.db, async (trx) => {
      const quote = await quoteItem(within(context, trx), {
        partnerId,
        ...input,
        quoteLifetimeSeconds: orders.quoteLifetimeSeconds,
        now: new Date(),
      });
      return { status: 201 as const, body: quoteView(quote) };
    });
    return c.json(reply.body, reply.status);
  });

  app.openapi(orderRoute, async (c) => {
    const partnerId = callerPartnerId(c.var.principal);
    const { order, created, steps } = await placeOrder(
      { ...context, startOrder: orders.startOrder },
      { partnerId, quoteId: c.req.valid('json').quoteId, idempotency: requireClaim(c), now: new Date() },
    );
    // An order placed by this request is answered from what its statement wrote (no coupon yet).
    const view = steps
      ? orderView(order, steps, null)
      : await readOrder(context, partnerId, order.id).then((read) =>
          orderView(read.order, read.steps, read.coupon),
        );
    return created ? c.json(view, 202) : c.json(view, 200);
  });

  app.openapi(readOrderRoute, async (c) => {
    const { order, steps, coupon } = await readOrder(
      context,
      callerPartnerId(c.var.principal),
      c.req.valid('param').orderId,
    );
    return c.json(orderView(order, steps, coupon), 200);
  });
}
