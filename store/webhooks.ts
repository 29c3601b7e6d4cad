// Webhook deliveries: written in the same transaction as the event they announce, then delivered
// by the worker with retries; every attempt's result stays listed for the partner.
import type { Kysely, Transaction } from 'kysely';
import type { Database, Transfer, WebhookDelivery } from './database.ts';
import { newId } from './ids.ts';

export type TransferEventType = 'transfer.completed' | 'transfer.failed' | 'transfer.needs_attention';

export function transferEventPayload(transfer: Transfer, type: TransferEventType) {
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
  // A partner without a webhook URL reads its transfers with GET instead; nothing is queued for it.
  const partners = await trx
    .selectFrom('programs')
    .innerJoin('partners', 'partners.id', 'programs.partner_id')
    .select('programs.partner_id')
    .distinct()
    .where('programs.id', 'in', [transfer.source_program_id, transfer.target_program_id])
    .where('partners.webhook_url', 'is not', null)
    .execute();
  if (partners.length === 0) return [];
  const payload = JSON.stringify(transferEventPayload(transfer, type));
  const rows = await trx
    .insertInto('webhook_deliveries')
    .values(
      partners.map(({ partner_id }) => ({
        id: newId('whk'),
        partner_id,
        event_type: type,
        event_id: `${transfer.id}:${type}`,
        payload,
        status: 'pending' as const,
      })),
    )
    .onConflict((conflict) => conflict.columns(['partner_id', 'event_id']).doNothing())
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
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

export async function recordDeliveryAttempt(
  db: Kysely<Database>,
  input: { deliveryId: string; status: WebhookDelivery['status']; error: string | null },
): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set((eb) => ({
      status: input.status,
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
