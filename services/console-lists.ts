// The console's lists that are one partner's share for a partner's user and the whole alliance for
// the alliance's staff: signing keys, webhook deliveries, the catalog, finance flags.

import {
  type CatalogRow,
  type KeyRow,
  listAllDeliveries,
  listCatalogItems,
  listPartnerKeys,
} from '../store/console-lists.ts';
import type { FinanceFlag, WebhookDelivery } from '../store/database.ts';
import { type ConsoleViewer, partnerScope, requireAllowed } from './console-access.ts';
import type { ServiceContext } from './context.ts';
import { listFlags } from './finance-flags.ts';
import { listDeliveries } from './webhook-deliveries.ts';

export function consoleKeys(context: ServiceContext, viewer: ConsoleViewer): Promise<KeyRow[]> {
  return listPartnerKeys(context.db, partnerScope(viewer));
}

// The webhook workflows' retry policy (workflows/transfer.workflow.ts and its neighbours): 200 ms,
// doubling, at most 5 minutes apart. The table keeps no attempt times, so the next retry is reckoned
// from the delivery's creation as if each attempt failed at once: an estimate, never later than it.
const retryFirstMs = 200;
const retryIntervalMaxMs = 5 * 60_000;

/** When a pending delivery's next attempt is due, about; null for one delivered or given up. */
export function nextRetryAbout(delivery: Pick<WebhookDelivery, 'status' | 'attempts' | 'created_at'>) {
  if (delivery.status !== 'pending') return null;
  let waitedMs = 0;
  for (let attempt = 0; attempt < delivery.attempts; attempt += 1) {
    waitedMs += Math.min(retryFirstMs * 2 ** attempt, retryIntervalMaxMs);
  }
  return new Date(delivery.created_at.getTime() + waitedMs);
}

export function consoleDeliveries(
  context: ServiceContext,
  viewer: ConsoleViewer,
  input: { cursor: string | null; limit: number },
): Promise<WebhookDelivery[]> {
  const partnerId = partnerScope(viewer);
  // A partner's user gets exactly what GET /v1/webhook-deliveries gives that partner.
  return partnerId ? listDeliveries(context, { partnerId, ...input }) : listAllDeliveries(context.db, input);
}

export function consoleCatalog(
  context: ServiceContext,
  viewer: ConsoleViewer,
  input: { afterId: string | null; limit: number },
): Promise<CatalogRow[]> {
  return listCatalogItems(context.db, { partnerId: partnerScope(viewer), ...input });
}

/** How many flags the console's page shows. */
export const consoleFlagsShown = 200;

export function consoleFlags(
  context: ServiceContext,
  viewer: ConsoleViewer,
  state: 'open' | 'resolved' | 'all',
): Promise<FinanceFlag[]> {
  requireAllowed(viewer, 'finance_flag.read');
  // The newest first: with more than a page of flags, the ones just raised are the ones to see.
  return listFlags(context, { state, afterId: null, limit: consoleFlagsShown, newestFirst: true });
}
