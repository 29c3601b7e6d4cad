// The order use case: a partner prices an item for one of its members (a price quote, in the
// member's points, as a transfer quote is), then orders it. The order is decided at once, in one
// statement: the stock and the member's limit are taken, a pool code held, the quote spent and the
// request's key bound, so the member hears "reserved", "sold out" or "limit reached" without waiting
// for the points to move. The order's workflow then moves the points and issues the coupon.
import { memberPrice, requireCouponStillValid, requireOnSale } from '../domain/catalog.ts';
import { requireRedemptionsConsent } from '../domain/consent.ts';
import { ProblemError } from '../domain/errors.ts';
import { requireWithinExposureCap } from '../domain/exposure.ts';
import { findItem } from '../store/catalog.ts';
import {
  type DecisionInput,
  decideOrder,
  type OrderDecision,
  type OrderFacts,
} from '../store/catalog-order-decision.ts';
import { decideOrderWithOthers } from '../store/catalog-order-decision-batch.ts';
import { findOrder, findOrderCoupon, findOrderOfQuote, listOrderSteps } from '../store/catalog-orders.ts';
import { claimOrderKey } from '../store/catalog-sold-out.ts';
import type { CatalogOrder, CatalogOrderStep } from '../store/database.ts';
import { lockAndReadExposure } from '../store/exposure.ts';
import type { ClaimRefusal } from '../store/idempotency.ts';
import { newId } from '../store/ids.ts';
import { findActiveLink } from '../store/members.ts';
import { findQuote, insertQuote, type PricedQuote } from '../store/quotes.ts';
import { termsInForceFrom } from '../store/rate-agreements.ts';
import type { ServiceContext } from './context.ts';
import { requireActivePartner, requireOwnProgram, requireProgram } from './programs.ts';

/** Starts an order's workflow; the reply does not wait for it. */
export type OrderStarter = (orderId: string) => Promise<unknown>;

/** The member spends these points in the catalog only with the `redemptions` consent at the programme. */
async function requireRedemptionsLink(context: ServiceContext, memberId: string, programId: string) {
  const link = await findActiveLink(context.db, memberId, programId);
  requireRedemptionsConsent(link, { memberId, programId });
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
  const link = await requireRedemptionsLink(context, input.memberId, input.programId);
  const found = await findItem(context.db, input.itemId);
  if (!found)
    throw new ProblemError('not_found', `Item ${input.itemId} does not exist.`, [
      { field: 'itemId', message: 'unknown item' },
    ]);
  const { item, version } = found;
  if (item.status !== 'active') throw new ProblemError('item_withdrawn', `Item ${item.id} was withdrawn.`);
  // A suspended publisher could not redeem what it sold: its items are not sold meanwhile.
  requireActivePartner(await requireProgram(context, item.program_id, 'itemId'), 'itemId');
  requireOnSale({ saleStartsAt: version.sale_starts_at, saleEndsAt: version.sale_ends_at }, input.now);
  if (item.kind === 'coupon') requireCouponStillValid(version.details, input.now);
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

/** Why a quote that was not ordered was refused, in the order the checks have always run. */
function refusal(facts: OrderFacts, now: Date): ProblemError {
  if (facts.expires_at <= now) {
    return new ProblemError('quote_expired', `Quote ${facts.quote_id} expired; ask for a new one.`, [
      { field: 'quoteId', message: 'expired' },
    ]);
  }
  if (facts.item_status !== 'active')
    return new ProblemError('item_withdrawn', `Item ${facts.item_id} was withdrawn.`);
  try {
    requireOnSale({ saleStartsAt: facts.sale_starts_at, saleEndsAt: facts.sale_ends_at }, now);
    requireCouponStillValid({ validity: facts.coupon_until && { until: facts.coupon_until } }, now);
  } catch (error) {
    return error as ProblemError;
  }
  if (facts.account_ref === null) {
    return new ProblemError('member_link_missing', `Member ${facts.member_id} is no longer linked.`, [
      { field: 'quoteId', message: 'the member left the programme' },
    ]);
  }
  if (!facts.publisher_active) {
    return new ProblemError(
      'counterparty_suspended',
      `The publisher of item ${facts.item_id} is suspended; nothing of it is sold.`,
      [{ field: 'quoteId', message: 'the publisher is suspended' }],
    );
  }
  return soldOut(facts.item_id);
}

function soldOut(itemId: string): ProblemError {
  return new ProblemError('sold_out', `Item ${itemId} is sold out.`);
}

/**
 * The sold-out answer an order's Idempotency-Key claim gives in its own statement, before the order
 * runs (gateway/idempotency.ts `refuseFirst`): the answer `placeOrder` would give, a share of one
 * statement and no claim written instead of a claim, the decision and its release. Nothing is kept
 * under the key, exactly as when the decision releases it: a retry of the key asks again, and is answered
 * sold out again, or, once the item was restocked (or a unit came back from a failed order), may
 * place its order. That is what a retry of a refused order has always done.
 */
export function soldOutBeforeClaim(input: { partnerId: string; quoteId: string; now: Date }): ClaimRefusal {
  return {
    claim: (db, claim, lockedUntil) => claimOrderKey(db, { ...input, claim, lockedUntil }),
    problem: (row) => soldOut(String(row.item_id)),
  };
}

function unknownQuote(quoteId: string): ProblemError {
  return new ProblemError('not_found', `Price quote ${quoteId} does not exist.`, [
    { field: 'quoteId', message: 'unknown price quote' },
  ]);
}

async function existingOrder(context: ServiceContext, orderId: string): Promise<CatalogOrder> {
  const order = await findOrder(context.db, orderId);
  if (!order) throw new Error(`order ${orderId} named by a quote or a key does not exist`);
  return order;
}

/**
 * The order decided beside the others; or, when its buyer has an exposure cap in the quote's
 * currency, alone under the buyer's exposure lock, the cap checked first: a catalog order makes the
 * buyer owe the publisher its settlement price, as a transfer makes its source's partner owe, and
 * while it runs it counts as a running transfer does (store/exposure.ts).
 */
async function decideWithinCap(context: ServiceContext, input: DecisionInput): Promise<OrderDecision> {
  const caps = await context.exposureCaps.of(context.db, input.partnerId);
  const quote = caps.length > 0 ? await findQuote(context.db, input.quoteId) : undefined;
  const cap = quote && caps.find((row) => row.currency === quote.currency);
  if (!quote || !cap || quote.requested_by !== input.partnerId || quote.used_by_order_id !== null)
    return decideOrderWithOthers(context.db, input);
  const pair = { partnerId: input.partnerId, currency: quote.currency };
  // A decision refused after the stock fails its statement: this transaction then ends rolled back.
  return context.db.transaction().execute(async (trx) => {
    requireWithinExposureCap({
      ...pair,
      exposureMinor: await lockAndReadExposure(trx, pair),
      addedMinor: quote.settlement_amount_minor,
      capMinor: cap.cap_minor,
    });
    return decideOrder(trx, input);
  });
}

export interface PlacedOrder {
  order: CatalogOrder;
  /** False when the quote had been ordered already (by another key). */
  created: boolean;
  /** The order's steps when this call placed it (the one "reserved"); null: read them. */
  steps: CatalogOrderStep[] | null;
}

/**
 * Places the order (or finds the one this key or quote placed) and starts its workflow. The
 * decision is one statement (store/catalog-order-decision.ts), shared with the orders decided beside
 * it (store/catalog-order-decision-batch.ts); a refusal it answers has given the key back in that
 * same statement, and says so by setting `idempotency.released`, so that the
 * caller does not release it again.
 */
export async function placeOrder(
  context: ServiceContext & { startOrder: OrderStarter },
  input: {
    partnerId: string;
    quoteId: string;
    idempotency: { principal: string; key: string; effectId: string | null; released?: boolean };
    now: Date;
  },
): Promise<PlacedOrder> {
  let placed: PlacedOrder | undefined;
  const earlier = input.idempotency.effectId
    ? await findOrder(context.db, input.idempotency.effectId)
    : undefined;
  if (earlier) placed = { order: earlier, created: true, steps: null };
  if (!placed) {
    const decision = await decideWithinCap(context, { ...input, orderId: newId('ord') });
    if (decision.outcome === 'no_quote' || decision.outcome === 'not_placed') {
      input.idempotency.released = decision.released;
      if (decision.outcome === 'no_quote') throw unknownQuote(input.quoteId);
      const { facts } = decision;
      if (facts.used_by_order_id === null) throw refusal(facts, input.now);
      placed = { order: await existingOrder(context, facts.used_by_order_id), created: false, steps: null };
    } else if (decision.outcome === 'placed') {
      placed = { order: decision.order, created: true, steps: [decision.step] };
    } else if (decision.reason === 'purchase_limit_reached') {
      throw new ProblemError(
        'purchase_limit_reached',
        `A member may buy this item at most ${decision.detail} times.`,
      );
    } else if (decision.reason === 'pool_dry') {
      throw new ProblemError('sold_out', 'The item has no codes left.');
    } else if (decision.reason === 'key_bound') {
      // Another run of this key (its lease taken over) placed its order first: that is the answer.
      if (!decision.detail)
        throw new Error(`idempotency key ${input.idempotency.key} has no claim to bind an order to`);
      placed = { order: await existingOrder(context, decision.detail), created: true, steps: null };
    } else {
      // The quote was ordered at the same moment under another key: that order is the answer.
      const order = await findOrderOfQuote(context.db, input.quoteId);
      if (!order) throw new Error(`quote ${input.quoteId} was spent by an order that does not exist`);
      placed = { order, created: false, steps: null };
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
