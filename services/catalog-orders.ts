// The order use case: a partner prices an item for one of its members (a price quote, in the
// member's points, as a transfer quote is), then orders it. The order is decided at once, in one
// transaction: the stock and the member's limit are taken, a pool code held, the quote spent and the
// request's key bound, so the member hears "reserved", "sold out" or "limit reached" without waiting
// for the points to move. The order's workflow then moves the points and issues the coupon.
import { memberPrice, requireOnSale } from '../domain/catalog.ts';
import { ProblemError } from '../domain/errors.ts';
import { findItem } from '../store/catalog.ts';
import {
  countPurchase,
  findOrder,
  findOrderCoupon,
  holdPoolCode,
  insertOrder,
  listOrderSteps,
  takeStock,
} from '../store/catalog-orders.ts';
import type { CatalogOrder, Quote } from '../store/database.ts';
import { bindIdempotencyEffect } from '../store/idempotency.ts';
import { newId } from '../store/ids.ts';
import { findActiveLink } from '../store/members.ts';
import { insertQuote, type PricedQuote } from '../store/quotes.ts';
import { termsInForceFrom } from '../store/rate-agreements.ts';
import { lockQuote } from '../store/transfers.ts';
import type { ServiceContext } from './context.ts';
import { requireOwnProgram } from './programs.ts';

/** Starts an order's workflow; the reply does not wait for it. */
export type OrderStarter = (orderId: string) => Promise<unknown>;

async function requireMemberLink(context: ServiceContext, memberId: string, programId: string) {
  const link = await findActiveLink(context.db, memberId, programId);
  if (!link) {
    throw new ProblemError('member_link_missing', `Member ${memberId} is not linked to ${programId}.`, [
      { field: 'memberId', message: 'not linked to this programme' },
    ]);
  }
  return link;
}

/** Prices the item's current version for the member and stores the quote (in the caller's transaction). */
export async function quoteItem(
  context: ServiceContext,
  input: {
    partnerId: string;
    memberId: string;
    programId: string;
    itemId: string;
    quoteLifetimeSeconds: number;
    now: Date;
  },
): Promise<PricedQuote> {
  await requireOwnProgram(context, input.partnerId, input.programId, 'programId');
  const link = await requireMemberLink(context, input.memberId, input.programId);
  const found = await findItem(context.db, input.itemId);
  if (!found)
    throw new ProblemError('not_found', `Item ${input.itemId} does not exist.`, [
      { field: 'itemId', message: 'unknown item' },
    ]);
  const { item, version } = found;
  if (item.status !== 'active') throw new ProblemError('item_withdrawn', `Item ${item.id} was withdrawn.`);
  requireOnSale({ saleStartsAt: version.sale_starts_at, saleEndsAt: version.sale_ends_at }, input.now);
  if (item.stock_left <= 0n) throw new ProblemError('sold_out', `Item ${item.id} is sold out.`);
  const agreement = (await termsInForceFrom(context.db, input.programId, [item.program_id], input.now)).get(
    item.program_id,
  );
  if (!agreement) {
    throw new ProblemError(
      'agreement_not_in_force',
      `No agreement in force lets ${input.programId} pay for ${item.program_id}'s items.`,
      [{ field: 'itemId', message: 'not offered to this programme' }],
    );
  }
  const price = memberPrice({
    terms: agreement.terms,
    memberTier: link.tier,
    pricePoints: version.price_points,
    at: input.now,
  });
  const quote: PricedQuote = {
    id: newId('qte'),
    requested_by: input.partnerId,
    member_id: input.memberId,
    source_program_id: input.programId,
    target_program_id: item.program_id,
    agreement_id: agreement.agreementId,
    agreement_version: agreement.version,
    converted_source_points: price.memberPoints,
    fee_points: 0n,
    debit_points: price.memberPoints,
    credit_points: version.price_points,
    daily_cap_source_points: price.memberPoints,
    ratio_numerator: price.ratio.numerator,
    ratio_denominator: price.ratio.denominator,
    remainder_numerator: 0n,
    remainder_denominator: 1n,
    modifiers: JSON.parse(
      JSON.stringify(price.modifiers, (_, value) => (typeof value === 'bigint' ? String(value) : value)),
    ),
    settlement_amount_minor: price.settlementAmountMinor,
    fee_amount_minor: 0n,
    currency: price.currency,
    expires_at: new Date(input.now.getTime() + input.quoteLifetimeSeconds * 1000),
    used_by_transfer_id: null,
    item_id: item.id,
    item_version: version.version,
    used_by_order_id: null,
  };
  await insertQuote(context.db, quote, input.now);
  return quote;
}

/** Another run of the same key created its order first; this run's writes are rolled back. */
class KeyAlreadyBound extends Error {
  readonly orderId: string;
  constructor(orderId: string) {
    super(`the Idempotency-Key already created order ${orderId}`);
    this.orderId = orderId;
  }
}

async function createOrder(
  context: ServiceContext,
  input: { partnerId: string; quoteId: string; idempotency: { principal: string; key: string }; now: Date },
): Promise<{ order: CatalogOrder; created: boolean }> {
  return context.db.transaction().execute(async (trx) => {
    const quote: Quote | undefined = await lockQuote(trx, input.quoteId);
    if (
      !quote ||
      quote.requested_by !== input.partnerId ||
      quote.item_id === null ||
      quote.item_version === null
    ) {
      throw new ProblemError('not_found', `Price quote ${input.quoteId} does not exist.`, [
        { field: 'quoteId', message: 'unknown price quote' },
      ]);
    }
    if (quote.used_by_order_id !== null) {
      const existing = await findOrder(trx, quote.used_by_order_id);
      if (!existing) throw new Error(`quote ${quote.id} names an order that does not exist`);
      return { order: existing, created: false };
    }
    if (quote.expires_at <= input.now) {
      throw new ProblemError('quote_expired', `Quote ${quote.id} expired; ask for a new one.`, [
        { field: 'quoteId', message: 'expired' },
      ]);
    }
    const found = await findItem(trx, quote.item_id, quote.item_version);
    if (!found) throw new Error(`quote ${quote.id} names an item version that does not exist`);
    const { item, version } = found;
    if (item.status !== 'active') throw new ProblemError('item_withdrawn', `Item ${item.id} was withdrawn.`);
    requireOnSale({ saleStartsAt: version.sale_starts_at, saleEndsAt: version.sale_ends_at }, input.now);
    const link = await findActiveLink(trx, quote.member_id, quote.source_program_id);
    if (!link) {
      throw new ProblemError('member_link_missing', `Member ${quote.member_id} is no longer linked.`, [
        { field: 'quoteId', message: 'the member left the programme' },
      ]);
    }
    // Stock first (the hot row everyone takes), then the member's count, then a code: each refusal
    // rolls back what came before it.
    if (!(await takeStock(trx, item.id))) throw new ProblemError('sold_out', `Item ${item.id} is sold out.`);
    if (
      version.per_member_limit !== null &&
      !(await countPurchase(trx, {
        itemId: item.id,
        memberId: quote.member_id,
        limit: version.per_member_limit,
      }))
    ) {
      throw new ProblemError(
        'purchase_limit_reached',
        `A member may buy item ${item.id} at most ${version.per_member_limit} times.`,
      );
    }
    const orderId = newId('ord');
    const heldCode =
      item.code_source === 'pool' ? await holdPoolCode(trx, { itemId: item.id, orderId }) : null;
    if (heldCode === undefined) throw new ProblemError('sold_out', `Item ${item.id} has no codes left.`);
    const boundTo = await bindIdempotencyEffect(trx, { ...input.idempotency, effectId: orderId });
    if (boundTo !== orderId) throw new KeyAlreadyBound(boundTo);
    const order = await insertOrder(trx, {
      id: orderId,
      item_id: item.id,
      item_version: version.version,
      quote_id: quote.id,
      requested_by: input.partnerId,
      member_id: quote.member_id,
      program_id: quote.source_program_id,
      account_ref: link.account_ref,
      debit_points: quote.debit_points,
      held_code: heldCode,
    });
    return { order, created: true };
  });
}

/** Places the order (or finds the one this key or quote placed) and starts its workflow. */
export async function placeOrder(
  context: ServiceContext & { startOrder: OrderStarter },
  input: {
    partnerId: string;
    quoteId: string;
    idempotency: { principal: string; key: string; effectId: string | null };
    now: Date;
  },
): Promise<{ order: CatalogOrder; created: boolean }> {
  let placed: { order: CatalogOrder; created: boolean } | undefined;
  const earlier = input.idempotency.effectId
    ? await findOrder(context.db, input.idempotency.effectId)
    : undefined;
  if (earlier) placed = { order: earlier, created: true };
  if (!placed) {
    try {
      placed = await createOrder(context, input);
    } catch (error) {
      if (!(error instanceof KeyAlreadyBound)) throw error;
      const bound = await findOrder(context.db, error.orderId);
      if (!bound) throw new Error(`order ${error.orderId} bound to a key does not exist`);
      placed = { order: bound, created: true };
    }
  }
  // Started by whoever placed it or asks again; a failed start is picked up by the next request for
  // it or by the order sweep.
  await context.startOrder(placed.order.id).catch(() => undefined);
  return placed;
}

/** An order with its steps and coupon, to the partner that placed it or the item's publisher. */
export async function readOrder(context: ServiceContext, partnerId: string, orderId: string) {
  const order = await findOrder(context.db, orderId);
  const item = order && (await findItem(context.db, order.item_id, order.item_version));
  if (!order || !item || (order.requested_by !== partnerId && item.item.publisher_id !== partnerId)) {
    throw new ProblemError('not_found', `Order ${orderId} does not exist.`);
  }
  const [steps, coupon] = await Promise.all([
    listOrderSteps(context.db, orderId),
    findOrderCoupon(context.db, orderId),
  ]);
  return { order, item, steps, coupon };
}
