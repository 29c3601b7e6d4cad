// Catalog orders as stored. An order is created in one statement (catalog-order-decision.ts) that
// takes one from the item's stock (never below zero), counts the member's purchase against the item's
// limit, holds a code from the pool when the item has one, spends the price quote and binds the
// request's key: each refusal (sold out, limit reached) writes none of it and answers at once. The order then ends in one
// transaction: completed (the coupon issued, the obligation owed, webhooks queued) or failed (stock,
// count and code given back), so nothing stays held.
import { type Kysely, sql, type Transaction } from 'kysely';
import { type CouponDetails, couponValidUntil } from '../domain/catalog.ts';
import { normalizeCouponCode } from '../domain/coupon-code.ts';
import type {
  CatalogOrderCompletedEventData,
  CatalogOrderFailedEventData,
} from '../domain/webhook-events.ts';
import type { CatalogOrder, Database, OrderStatus } from './database.ts';
import { newId } from './ids.ts';
import { insertObligations } from './settlement.ts';
import { inTransaction } from './transaction.ts';
import { enqueueEvent, pendingDeliveriesOfSubject } from './webhooks.ts';

export async function findOrder(db: Kysely<Database>, orderId: string): Promise<CatalogOrder | undefined> {
  return db.selectFrom('catalog_orders').selectAll().where('id', '=', orderId).executeTakeFirst();
}

export async function findOrderOfQuote(
  db: Kysely<Database>,
  quoteId: string,
): Promise<CatalogOrder | undefined> {
  return db.selectFrom('catalog_orders').selectAll().where('quote_id', '=', quoteId).executeTakeFirst();
}

export async function listOrderSteps(db: Kysely<Database>, orderId: string) {
  return db
    .selectFrom('catalog_order_steps')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('id')
    .execute();
}

/** Records a step once; a retried activity records nothing twice. */
export async function recordOrderStep(
  db: Kysely<Database>,
  input: { orderId: string; step: string; outcome: string; detail?: string | null },
): Promise<void> {
  await db
    .insertInto('catalog_order_steps')
    .values({
      order_id: input.orderId,
      step: input.step,
      outcome: input.outcome,
      detail: input.detail ?? null,
    })
    .onConflict((conflict) => conflict.columns(['order_id', 'step', 'outcome']).doNothing())
    .execute();
}

async function lockOrder(trx: Transaction<Database>, orderId: string): Promise<CatalogOrder> {
  return trx
    .selectFrom('catalog_orders')
    .selectAll()
    .where('id', '=', orderId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

const ended: readonly OrderStatus[] = ['completed', 'failed', 'needs_attention'];

/** What the event adds to the order's fields: its type, and a completed order's coupon. */
type OrderEvent =
  | Pick<CatalogOrderFailedEventData, 'type'>
  | Pick<CatalogOrderCompletedEventData, 'type' | 'couponId' | 'couponCode' | 'validUntil'>;

async function enqueueOrderWebhooks(trx: Transaction<Database>, order: CatalogOrder, event: OrderEvent) {
  const item = await trx
    .selectFrom('catalog_items')
    .select('program_id')
    .where('id', '=', order.item_id)
    .executeTakeFirstOrThrow();
  return enqueueEvent(trx, {
    programIds: [order.program_id, item.program_id],
    type: event.type,
    eventId: `${order.id}:${event.type}`,
    payload: {
      orderId: order.id,
      itemId: order.item_id,
      itemVersion: order.item_version,
      memberId: order.member_id,
      programId: order.program_id,
      debitPoints: String(order.debit_points),
      status: order.status,
      failureCode: order.failure_code,
      ...event,
    },
  });
}

/**
 * Ends the order without its coupon. Failed (the member was not charged): what it held is given back,
 * one to the stock, one off the count, its code to the pool. Needs attention (whether the member was
 * charged is not known): what it holds stays held and finance gets a flag naming the order, as for a
 * transfer; given back, the unit or the code could be sold again to another member while this one
 * may have paid for it.
 */
export async function failOrder(
  db: Kysely<Database>,
  input: { orderId: string; code: string; detail: string; status?: 'failed' | 'needs_attention' },
): Promise<string[]> {
  const status = input.status ?? 'failed';
  return inTransaction(db, async (trx) => {
    const order = await lockOrder(trx, input.orderId);
    // A repeat (the ending committed, its answer lost to the workflow) hands on what still waits.
    if (ended.includes(order.status)) return pendingDeliveriesOfSubject(trx, order.id);
    if (status === 'failed') await giveBackHeld(trx, order);
    else {
      await trx
        .insertInto('finance_flags')
        .values({ catalog_order_id: order.id, reason: input.detail })
        .onConflict((conflict) => conflict.columns(['catalog_order_id', 'reason']).doNothing())
        .execute();
    }
    const closed = await trx
      .updateTable('catalog_orders')
      .set({
        status,
        ...(status === 'failed' ? { held_code: null } : {}),
        failure_code: input.code,
        failure_detail: input.detail,
        updated_at: new Date(),
      })
      .where('id', '=', order.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordOrderStep(trx, {
      orderId: order.id,
      step: status,
      outcome: input.code,
      detail: input.detail,
    });
    return enqueueOrderWebhooks(trx, closed, { type: 'catalog.order_failed' });
  });
}

async function giveBackHeld(trx: Transaction<Database>, order: CatalogOrder): Promise<void> {
  await trx
    .updateTable('catalog_items')
    .set({ stock_left: sql`stock_left + 1` })
    .where('id', '=', order.item_id)
    .execute();
  await trx
    .updateTable('catalog_member_purchases')
    .set({ bought: sql`bought - 1` })
    .where('item_id', '=', order.item_id)
    .where('member_id', '=', order.member_id)
    .where('bought', '>', 0)
    .execute();
  if (order.held_code !== null) {
    await trx
      .updateTable('catalog_codes')
      .set({ status: 'available', order_id: null })
      .where('item_id', '=', order.item_id)
      .where('code', '=', order.held_code)
      .execute();
  }
}

/**
 * Completes the order: its coupon issued (the held pool code, or a generated one), the obligation
 * (the member's programme owes the publisher the settlement price), the status and the webhooks,
 * all at once. Returns the webhook deliveries to send; none when it had ended already.
 */
export async function completeOrder(
  db: Kysely<Database>,
  input: { orderId: string; generateCode: () => string; now: Date },
): Promise<string[]> {
  return inTransaction(db, async (trx) => {
    const order = await lockOrder(trx, input.orderId);
    // A repeat (the ending committed, its answer lost to the workflow) hands on what still waits.
    if (ended.includes(order.status)) return pendingDeliveriesOfSubject(trx, order.id);
    const facts = await trx
      .selectFrom('catalog_items as i')
      .innerJoin('catalog_item_versions as v', (join) =>
        join.onRef('v.item_id', '=', 'i.id').on('v.version', '=', order.item_version),
      )
      .innerJoin('quotes as q', (join) => join.on('q.id', '=', order.quote_id))
      .innerJoin('programs as member_program', (join) => join.on('member_program.id', '=', order.program_id))
      .select([
        'i.kind',
        'i.publisher_id',
        'v.details',
        'q.settlement_amount_minor',
        'q.currency',
        'member_program.partner_id as member_partner_id',
      ])
      .where('i.id', '=', order.item_id)
      .executeTakeFirstOrThrow();
    let coupon: { id: string; code: string; validUntil: Date | null } | null = null;
    if (facts.kind === 'coupon') {
      const details = facts.details as { validity: CouponDetails['validity'] | { until: string } };
      const validity =
        details.validity && 'until' in details.validity
          ? { until: new Date(details.validity.until) }
          : (details.validity as CouponDetails['validity']);
      // A pool code is kept as the publisher gave it; a generated one is shown grouped, kept plain.
      const shown = order.held_code ?? input.generateCode();
      coupon = {
        id: newId('cpn'),
        code: shown,
        validUntil: couponValidUntil(validity, input.now),
      };
      await trx
        .insertInto('coupons')
        .values({
          id: coupon.id,
          order_id: order.id,
          item_id: order.item_id,
          publisher_id: facts.publisher_id,
          code: order.held_code ?? normalizeCouponCode(shown),
          status: 'issued',
          valid_until: coupon.validUntil,
          issued_at: input.now,
        })
        .execute();
      if (order.held_code !== null) {
        await trx
          .updateTable('catalog_codes')
          .set({ status: 'issued' })
          .where('item_id', '=', order.item_id)
          .where('code', '=', order.held_code)
          .execute();
      }
    }
    if (facts.member_partner_id !== facts.publisher_id && facts.settlement_amount_minor > 0n) {
      await insertObligations(trx, [
        {
          sourceId: order.id,
          transferId: null,
          kind: 'redemption',
          debtorPartnerId: facts.member_partner_id,
          creditorPartnerId: facts.publisher_id,
          amountMinor: facts.settlement_amount_minor,
          currency: facts.currency,
        },
      ]);
    }
    const completed = await trx
      .updateTable('catalog_orders')
      .set({ status: 'completed', held_code: null, updated_at: new Date() })
      .where('id', '=', order.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordOrderStep(trx, {
      orderId: order.id,
      step: 'completed',
      outcome: 'done',
      detail: coupon ? `coupon ${coupon.id}` : `${facts.kind} to fulfil`,
    });
    return enqueueOrderWebhooks(trx, completed, {
      type: 'catalog.order_completed',
      couponId: coupon?.id ?? null,
      couponCode: coupon?.code ?? null,
      validUntil: coupon?.validUntil?.toISOString() ?? null,
    });
  });
}

export async function findOrderCoupon(db: Kysely<Database>, orderId: string) {
  return db.selectFrom('coupons').selectAll().where('order_id', '=', orderId).executeTakeFirst();
}

/** Orders placed but possibly never started (the process died before starting it), paged by id. */
export async function listStrandedOrderIds(
  db: Kysely<Database>,
  input: { untouchedSince: Date; afterId: string | null; limit: number },
): Promise<string[]> {
  let query = db
    .selectFrom('catalog_orders')
    .select('id')
    .where('status', '=', 'reserved')
    .where('updated_at', '<', input.untouchedSince)
    .orderBy('id')
    .limit(input.limit);
  if (input.afterId) query = query.where('id', '>', input.afterId);
  return (await query.execute()).map((row) => row.id);
}
