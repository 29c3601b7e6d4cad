// The webhook-delivery use case: a partner pages through the webhooks queued for it, with their
// delivery state, to see what it missed (or to poll instead of receiving them).
import type { WebhookDelivery } from '../store/database.ts';
import { listPartnerDeliveries } from '../store/webhooks.ts';
import type { ServiceContext } from './context.ts';

export function listDeliveries(
  { db }: ServiceContext,
  input: { partnerId: string; cursor: string | null; limit: number },
): Promise<WebhookDelivery[]> {
  return listPartnerDeliveries(db, input);
}
