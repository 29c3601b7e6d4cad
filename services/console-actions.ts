// The console's write actions: each checks the viewer's role, calls the use case the API calls,
// and writes its audit entry in the same transaction.
import { ProblemError } from '../domain/errors.ts';
import type { Resolution } from '../domain/reconciliation.ts';
import type { FinanceFlag, PartnerStatus, ReconciliationBreak } from '../store/database.ts';
import type { PartnerRecord } from '../store/partners.ts';
import type { AgreementVersionRecord } from '../store/rate-agreements.ts';
import { inTransaction } from '../store/transaction.ts';
import { type ConsoleViewer, partnerScope, requireAllowed } from './console-access.ts';
import { recordAudit } from './console-audit.ts';
import { type ServiceContext, within } from './context.ts';
import { resolveFlag } from './finance-flags.ts';
import { setPartnerStatus } from './partners.ts';
import { acceptAgreementVersion } from './rate-agreements.ts';
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

/**
 * Whether this very request resolved it: a repeat (a double submit, a stale confirmation page) finds
 * it resolved already, by this viewer or another, and is not audited as if it had acted.
 */
function resolvedNowBy(
  resolved: { resolved_by: string | null; resolved_at: Date | null },
  viewer: ConsoleViewer,
  now: Date,
): boolean {
  return (
    resolved.resolved_by === `console:${viewer.username}` && resolved.resolved_at?.getTime() === now.getTime()
  );
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
    if (!resolvedNowBy(resolved, viewer, input.now)) return resolved;
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

/** A partner's admin accepts a rate version for its partner's side; the API's acceptance, audited. */
export async function acceptRateVersionFromConsole(
  context: ServiceContext,
  viewer: ConsoleViewer,
  input: Where & { agreementId: string; version: number },
): Promise<AgreementVersionRecord> {
  requireAllowed(viewer, 'rate_version.accept');
  const partnerId = partnerScope(viewer);
  if (!partnerId) throw new ProblemError('forbidden', 'Only a partner accepts its rate versions.');
  return inTransaction(context.db, async (trx) => {
    const accepted = await acceptAgreementVersion(within(context, trx), {
      partnerId,
      agreementId: input.agreementId,
      version: input.version,
      now: input.now,
    }).catch((error: unknown) => {
      // Another pair's agreement does not exist for this partner, as on the confirmation page.
      if (error instanceof ProblemError && error.code === 'forbidden') {
        throw new ProblemError(
          'not_found',
          `Agreement ${input.agreementId} has no version ${input.version}.`,
        );
      }
      throw error;
    });
    await recordAudit(trx, viewer, {
      action: 'rate_version.accept',
      target: `${input.agreementId}/v${input.version}`,
      address: input.address,
      now: input.now,
    });
    return accepted;
  });
}

export async function resolveFlagFromConsole(
  context: ServiceContext,
  viewer: ConsoleViewer,
  input: Where & { flagId: bigint; reason: string },
): Promise<FinanceFlag> {
  requireAllowed(viewer, 'finance_flag.resolve');
  return inTransaction(context.db, async (trx) => {
    const resolved = await resolveFlag(within(context, trx), {
      flagId: input.flagId,
      reason: input.reason,
      resolvedBy: `console:${viewer.username}`,
      now: input.now,
    });
    if (!resolvedNowBy(resolved, viewer, input.now)) return resolved;
    await recordAudit(trx, viewer, {
      action: 'finance_flag.resolve',
      target: String(input.flagId),
      detail: { reason: input.reason },
      address: input.address,
      now: input.now,
    });
    return resolved;
  });
}
