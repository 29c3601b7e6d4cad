// The console's write actions: each checks the viewer's role, calls the use case the API calls,
// and writes its audit entry in the same transaction.
import type { Resolution } from '../domain/reconciliation.ts';
import type { PartnerStatus, ReconciliationBreak } from '../store/database.ts';
import type { PartnerRecord } from '../store/partners.ts';
import { inTransaction } from '../store/transaction.ts';
import { type ConsoleViewer, requireAllowed } from './console-access.ts';
import { recordAudit } from './console-audit.ts';
import { type ServiceContext, within } from './context.ts';
import { setPartnerStatus } from './partners.ts';
import { resolveReconciliationBreak } from './reconciliation.ts';

interface Where {
  address: string;
  now: Date;
}

export async function changePartnerStatus(
  context: ServiceContext,
  viewer: ConsoleViewer,
  input: Where & { partnerId: string; status: PartnerStatus },
): Promise<PartnerRecord> {
  const action = input.status === 'suspended' ? 'partner.suspend' : 'partner.resume';
  requireAllowed(viewer, action);
  return inTransaction(context.db, async (trx) => {
    const record = await setPartnerStatus(within(context, trx), input.partnerId, input.status);
    await recordAudit(trx, viewer, {
      action,
      target: input.partnerId,
      address: input.address,
      now: input.now,
    });
    return record;
  });
}

export async function resolveBreakFromConsole(
  context: ServiceContext,
  viewer: ConsoleViewer,
  input: Where & { breakId: string; resolution: Resolution; reason: string },
): Promise<ReconciliationBreak> {
  requireAllowed(viewer, 'reconciliation_break.resolve');
  return inTransaction(context.db, async (trx) => {
    const resolved = await resolveReconciliationBreak(within(context, trx), {
      breakId: input.breakId,
      resolution: input.resolution,
      reason: input.reason,
      resolvedBy: `console:${viewer.username}`,
      now: input.now,
    });
    await recordAudit(trx, viewer, {
      action: 'reconciliation_break.resolve',
      target: input.breakId,
      detail: { resolution: input.resolution, reason: input.reason },
      address: input.address,
      now: input.now,
    });
    return resolved;
  });
}
