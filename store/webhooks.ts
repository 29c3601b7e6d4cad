// Webhook deliveries: written in the same transaction as the event they announce, then delivered
// by the worker with retries; every attempt's result stays listed for the partner.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { TransferEventData, TransferReversalEventData, WebhookEvent } from '../domain/webhook-events.ts';
import type { Database, Transfer, TransferReversal, WebhookDelivery } from './database.ts';
import { newId } from './ids.ts';

export type TransferEventType = TransferEventData['type'];

export function transferEventPayload(transfer: Transfer, type: TransferEventType): TransferEventData {
  return {
    type,
    transferId: transfer.id,
    status: transfer.status,
    memberId: transfer.member_id,
    sourceProgramId: transfer.source_program_id,
    targetProgramId: transfer.target_program_id,
    debitPoints: String(transfer.debit_points),
    creditPoints: String(transfer.credit_points),
    failureCode: transfer.failure_code,
  };
}

/** Queues the event for the partners of both programmes that take webhooks; returns the deliveries' ids. */
export async function enqueueTransferWebhooks(
  trx: Transaction<Database>,
  transfer: Transfer,
  type: TransferEventType,
): Promise<string[]> {
  return enqueueEvent(trx, {
    programIds: [transfer.source_program_id, transfer.target_program_id],
    type,
    eventId: `${transfer.id}:${type}`,
    payload: transferEventPayload(transfer, type),
  });
}

/**
 * The deliveries of an event still waiting to be sent. A step that queued them hands them on, and a
 * repeat of it (its worker died after the commit, or its answer came after its time ran out) finds
 * nothing left to change: it hands on these instead, or they would wait for no one.
 */
export async function pendingDeliveriesOf(
  trx: Transaction<Database>,
  eventId: string,
  type: string,
): Promise<string[]> {
  const rows = await trx
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('status', '=', 'pending')
    .where('event_type', '=', type)
    .where('event_id', '=', eventId)
    .execute();
  return rows.map((row) => row.id);
}

/**
 * The deliveries still waiting of every event a subject's ending queued (event ids `<subjectId>:<type>`:
 * a points payment's operation, a catalog order, a coupon): what a repeat of that ending hands on.
 */
export async function pendingDeliveriesOfSubject(
  trx: Transaction<Database>,
  subjectId: string,
): Promise<string[]> {
  // The status as a literal, so that the plan reads the partial index of pending deliveries.
  const rows = await trx
    .selectFrom('webhook_deliveries')
    .select('id')
    .where(sql<boolean>`status = 'pending'`)
    .where(sql<boolean>`starts_with(event_id, ${`${subjectId}:`})`)
    .execute();
  return rows.map((row) => row.id);
}

/**
 * Queues one event for each of these partners that takes webhooks, once per event id. For events
 * whose recipients are partners by role (a merchant, a programme's owner) rather than programmes.
 */
export async function enqueueEventForPartners(
  trx: Transaction<Database>,
  event: WebhookEvent & { partnerIds: string[] },
): Promise<string[]> {
  const partners = await trx
    .selectFrom('partners')
    .select('id')
    .where('id', 'in', event.partnerIds)
    .where('webhook_url', 'is not', null)
    .execute();
  return insertDeliveries(
    trx,
    partners.map(({ id }) => id),
    event,
  );
}

/** Queues one event for every partner owning one of the programmes and taking webhooks, once per event id. */
export async function enqueueEvent(
  trx: Transaction<Database>,
  event: WebhookEvent & { programIds: string[] },
): Promise<string[]> {
  // A partner without a webhook URL reads its transfers with GET instead; nothing is queued for it.
  const partners = await trx
    .selectFrom('programs')
    .innerJoin('partners', 'partners.id', 'programs.partner_id')
    .select('programs.partner_id')
    .distinct()
    .where('programs.id', 'in', event.programIds)
    .where('partners.webhook_url', 'is not', null)
    .execute();
  return insertDeliveries(
    trx,
    partners.map(({ partner_id }) => partner_id),
    event,
  );
}

/**
 * Queues one event for partners already known to take webhooks (the caller read them, e.g. in the
 * statement that made the event), once per event id; returns the deliveries' ids.
 */
export async function insertDeliveries(
  trx: Transaction<Database>,
  partnerIds: readonly string[],
  event: WebhookEvent,
): Promise<string[]> {
  if (partnerIds.length === 0) return [];
  const payload = JSON.stringify(event.payload);
  const rows = await trx
    .insertInto('webhook_deliveries')
    .values(
      partnerIds.map((partner_id) => ({
        id: newId('whk'),
        partner_id,
        event_type: event.type,
        event_id: event.eventId,
        payload,
        status: 'pending' as const,
      })),
    )
    .onConflict((conflict) => conflict.columns(['partner_id', 'event_id']).doNothing())
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

export type ReversalEventType = TransferReversalEventData['type'];

/** Queues a reversal's event for the partners of the transfer's programmes; returns the deliveries' ids. */
export async function enqueueReversalWebhooks(
  trx: Transaction<Database>,
  reversal: TransferReversal,
  transfer: Transfer,
  type: ReversalEventType,
): Promise<string[]> {
  const payload: TransferReversalEventData = {
    type,
    reversalId: reversal.id,
    transferId: transfer.id,
    status: reversal.status,
    memberId: transfer.member_id,
    sourceProgramId: transfer.source_program_id,
    targetProgramId: transfer.target_program_id,
    sourcePoints: String(reversal.source_points),
    targetPoints: String(reversal.target_points),
    takenTargetPoints: reversal.taken_target_points === null ? null : String(reversal.taken_target_points),
    returnedSourcePoints:
      reversal.returned_source_points === null ? null : String(reversal.returned_source_points),
    failureCode: reversal.failure_code,
  };
  return enqueueEvent(trx, {
    programIds: [transfer.source_program_id, transfer.target_program_id],
    type,
    eventId: `${reversal.id}:${type}`,
    payload,
  });
}

export async function findDelivery(db: Kysely<Database>, deliveryId: string) {
  return db
    .selectFrom('webhook_deliveries')
    .innerJoin('partners', 'partners.id', 'webhook_deliveries.partner_id')
    .selectAll('webhook_deliveries')
    .select('partners.webhook_url')
    .where('webhook_deliveries.id', '=', deliveryId)
    .executeTakeFirst();
}

/**
 * Counts an attempt and records where it left the delivery. `delivered` is never overwritten; and an
 * attempt that failed leaves a delivery `failed` as it is: an attempt still running when its run gave
 * up would otherwise set it `pending` again, and the abandoned-delivery sweep would start it anew
 * (that sweep, the one redelivery there is, takes only deliveries still pending). A late success
 * still sets a failed delivery delivered: the partner has it.
 */
export async function recordDeliveryAttempt(
  db: Kysely<Database>,
  input: { deliveryId: string; status: WebhookDelivery['status']; error: string | null },
): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set((eb) => ({
      status: input.status === 'pending' ? eb.ref('status') : input.status,
      attempts: eb('attempts', '+', 1),
      last_error: input.error,
      delivered_at: input.status === 'delivered' ? new Date() : null,
    }))
    .where('id', '=', input.deliveryId)
    .where('status', '!=', 'delivered')
    .execute();
}

export async function listPartnerDeliveries(
  db: Kysely<Database>,
  input: { partnerId: string; cursor: string | null; limit: number },
): Promise<WebhookDelivery[]> {
  let query = db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('partner_id', '=', input.partnerId)
    .orderBy('id', 'desc')
    .limit(input.limit);
  if (input.cursor) query = query.where('id', '<', input.cursor);
  return query.execute();
}

/**
 * Undelivered deliveries of these event types, in id order, a page after `afterId` (the status is
 * written out, not a parameter, so the partial index on pending deliveries serves every plan).
 */
export async function listPendingDeliveryIds(
  db: Kysely<Database>,
  input: { eventTypes: string[]; afterId: string | null; limit: number },
): Promise<{ id: string; attempts: number; partner_id: string }[]> {
  let query = db
    .selectFrom('webhook_deliveries')
    .select(['id', 'attempts', 'partner_id'])
    .where(sql<boolean>`status = 'pending'`)
    .where('event_type', 'in', input.eventTypes)
    .orderBy('id')
    .limit(input.limit);
  if (input.afterId !== null) query = query.where('id', '>', input.afterId);
  return query.execute();
}

/**
 * Deliveries still pending that were queued before `createdBefore`, in id order after `afterId`:
 * past every retry their own run makes (which ends a delivery delivered or failed), so a run that
 * stopped left them (terminated, or its worker gone with its history). Points notices are left to the
 * expiry runs, which retry them by count.
 */
export async function listAbandonedDeliveryIds(
  db: Kysely<Database>,
  input: { createdBefore: Date; afterId: string | null; limit: number },
): Promise<{ id: string }[]> {
  let query = db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where(sql<boolean>`status = 'pending'`)
    .where('event_type', 'not like', 'points.%')
    .where('created_at', '<', input.createdBefore)
    .orderBy('id')
    .limit(input.limit);
  if (input.afterId !== null) query = query.where('id', '>', input.afterId);
  return query.execute();
}

/**
 * Transfer events still undelivered since before `before`, in id order after `afterId`, each with
 * its transfer (an event id is `<transferId>:<type>`): what a transfer without a workflow of its own
 * left in its outbox.
 */
export async function listStaleTransferDeliveries(
  db: Kysely<Database>,
  input: { before: Date; afterId: string | null; limit: number },
): Promise<{ id: string; transferId: string }[]> {
  let query = db
    .selectFrom('webhook_deliveries')
    .select(['id', 'event_id'])
    .where(sql<boolean>`status = 'pending'`)
    .where('event_type', 'in', ['transfer.completed', 'transfer.failed'])
    .where('created_at', '<', input.before)
    .orderBy('id')
    .limit(input.limit);
  if (input.afterId !== null) query = query.where('id', '>', input.afterId);
  const rows = await query.execute();
  return rows.map((row) => ({ id: row.id, transferId: row.event_id.split(':')[0] ?? row.event_id }));
}

/** The transfer's end webhooks still waiting to go (a transfer settled without a workflow). */
export async function pendingTransferDeliveryIds(
  db: Kysely<Database>,
  transferId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('event_id', 'in', [`${transferId}:transfer.completed`, `${transferId}:transfer.failed`])
    .where(sql<boolean>`status = 'pending'`)
    .orderBy('id')
    .execute();
  return rows.map((row) => row.id);
}
