// Coupon expiry and refunds as stored. The expiry is one conditional update per batch: only an
// issued coupon past its end expires, and a till's redeem only takes an issued coupon before its
// end, so a coupon is redeemed or expired, never both. The same statement marks the refund due when
// the item version the order bought says so; the refund's saga then ends it in one transaction
// (refunded, the opposite obligation, the order's step, the webhooks) or flags it for finance.
import { type Kysely, sql } from 'kysely';
import { couponRefundObligationKind, refundOfRedemption } from '../domain/coupon-expiry.ts';
import { recordOrderStep } from './catalog-orders.ts';
import type { CatalogOrder, Coupon, Database } from './database.ts';
import { insertObligations } from './settlement.ts';
import { inTransaction } from './transaction.ts';
import { enqueueEvent, pendingDeliveriesOfSubject } from './webhooks.ts';

export const couponRefundedEvent = 'catalog.coupon_refunded';

/**
 * Expires up to `limit` issued coupons whose end is at or before `now`, oldest end first. A coupon a
 * till holds at this moment is skipped (the next batch or run sees what the till left); one redeemed
 * meanwhile no longer matches. Returns how many expired, and how many of them are owed a refund.
 */
export async function expireCouponBatch(
  db: Kysely<Database>,
  input: { now: Date; limit: number },
): Promise<{ expired: number; refundsDue: number }> {
  const result = await sql<{ refund_status: string | null }>`
    with due as (
      select id from coupons
      where status = 'issued' and valid_until <= ${input.now}
      order by valid_until
      limit ${input.limit}
      for update skip locked
    )
    update coupons c
    set status = 'expired',
        expired_at = ${input.now},
        refund_status = case when v.details @> '{"refundOnExpiry": true}' then 'due' end
    from due, catalog_orders o, catalog_item_versions v
    where c.id = due.id and c.status = 'issued'
      and o.id = c.order_id and v.item_id = o.item_id and v.version = o.item_version
    returning c.refund_status`.execute(db);
  return {
    expired: result.rows.length,
    refundsDue: result.rows.filter((row) => row.refund_status === 'due').length,
  };
}

/** Coupons whose refund is due (its saga not yet ended), paged by id. */
export async function listRefundDueCouponIds(
  db: Kysely<Database>,
  input: { afterId: string | null; limit: number },
): Promise<string[]> {
  let query = db
    .selectFrom('coupons')
    .select('id')
    .where('refund_status', '=', 'due')
    .orderBy('id')
    .limit(input.limit);
  if (input.afterId) query = query.where('id', '>', input.afterId);
  return (await query.execute()).map((row) => row.id);
}

/** The coupon and the order that bought it: what its refund credits, and to whom. */
export async function findCouponWithOrder(
  db: Kysely<Database>,
  couponId: string,
): Promise<{ coupon: Coupon; order: CatalogOrder } | undefined> {
  const coupon = await db.selectFrom('coupons').selectAll().where('id', '=', couponId).executeTakeFirst();
  if (!coupon) return undefined;
  const order = await db
    .selectFrom('catalog_orders')
    .selectAll()
    .where('id', '=', coupon.order_id)
    .executeTakeFirstOrThrow();
  return { coupon, order };
}

/**
 * Ends a due refund whose points are back with the member: the coupon refunded, the redemption's
 * opposite owed, the order's step and the webhooks to both partners, at once. Returns the webhook
 * deliveries to send; none when the refund was not due (ended already).
 */
export async function completeCouponRefund(
  db: Kysely<Database>,
  input: { couponId: string; now: Date },
): Promise<string[]> {
  return inTransaction(db, async (trx) => {
    const coupon = await trx
      .updateTable('coupons')
      .set({ status: 'refunded', refund_status: 'refunded', refunded_at: input.now })
      .where('id', '=', input.couponId)
      .where('refund_status', '=', 'due')
      .returningAll()
      .executeTakeFirst();
    // Refunded already (a repeat whose first run's answer was lost): what it queued and still waits.
    if (!coupon) return pendingDeliveriesOfSubject(trx, input.couponId);
    const order = await trx
      .selectFrom('catalog_orders as o')
      .innerJoin('catalog_items as i', 'i.id', 'o.item_id')
      .select([
        'o.id',
        'o.item_id',
        'o.member_id',
        'o.program_id',
        'o.debit_points',
        'i.program_id as item_program_id',
      ])
      .where('o.id', '=', coupon.order_id)
      .executeTakeFirstOrThrow();
    // None when the member's programme is the publisher's, or the price settled at nothing.
    const redemption = await trx
      .selectFrom('settlement_obligations')
      .select(['debtor_partner_id', 'creditor_partner_id', 'amount_minor', 'currency'])
      .where('source_id', '=', order.id)
      .where('kind', '=', 'redemption')
      .executeTakeFirst();
    if (redemption?.creditor_partner_id) {
      const refund = refundOfRedemption({
        debtorPartnerId: redemption.debtor_partner_id,
        creditorPartnerId: redemption.creditor_partner_id,
        amountMinor: redemption.amount_minor,
        currency: redemption.currency,
      });
      await insertObligations(trx, [
        { ...refund, sourceId: coupon.id, transferId: null, kind: couponRefundObligationKind },
      ]);
    }
    await recordOrderStep(trx, {
      orderId: order.id,
      step: 'coupon_refunded',
      outcome: 'done',
      detail: `coupon ${coupon.id} expired unused: ${order.debit_points} points back`,
    });
    return enqueueEvent(trx, {
      programIds: [order.program_id, order.item_program_id],
      type: couponRefundedEvent,
      eventId: `${coupon.id}:${couponRefundedEvent}`,
      payload: {
        type: couponRefundedEvent,
        couponId: coupon.id,
        orderId: order.id,
        itemId: order.item_id,
        memberId: order.member_id,
        programId: order.program_id,
        refundedPoints: String(order.debit_points),
        validUntil: coupon.valid_until?.toISOString() ?? null,
        expiredAt: coupon.expired_at?.toISOString() ?? null,
        refundedAt: input.now.toISOString(),
      },
    });
  });
}

/** Flags a due refund for finance, with why; false when it was not due (ended already). */
export async function flagCouponRefund(
  db: Kysely<Database>,
  input: { couponId: string; code: string; detail: string },
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const coupon = await trx
      .updateTable('coupons')
      .set({ refund_status: 'flagged', refund_failure_code: input.code, refund_failure_detail: input.detail })
      .where('id', '=', input.couponId)
      .where('refund_status', '=', 'due')
      .returning('order_id')
      .executeTakeFirst();
    if (!coupon) return false;
    await recordOrderStep(trx, {
      orderId: coupon.order_id,
      step: 'coupon_refund_flagged',
      outcome: input.code,
      detail: input.detail,
    });
    return true;
  });
}
