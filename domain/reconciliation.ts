// Reconciliation's vocabulary: the kinds of break, how finance resolves one, the statuses a loyalty
// system reports for its operations, and the period a run compares (with the clock difference it
// tolerates at both edges, so an item just across a boundary is matched, not a break).

export const breakKinds = [
  'missing_at_partner',
  'missing_at_gateway',
  'amount_mismatch',
  'status_mismatch',
  'duplicate_at_partner',
  /** A hosted-ledger account whose counters disagree with its entries. */
  'balance_mismatch',
] as const;
export type BreakKind = (typeof breakKinds)[number];

export const resolutions = ['adjusted', 'written_off', 'partner_fixed', 'gateway_fixed'] as const;
export type Resolution = (typeof resolutions)[number];

export const partnerOperations = ['reserve', 'post', 'void', 'credit', 'reverse'] as const;
export type PartnerOperationName = (typeof partnerOperations)[number];

/**
 * The status each operation reports in a transaction list, as the partner contract documents it:
 * a reservation is `reserved` until it is `posted`, `voided` or `expired`; a credit is `credited`
 * until it is reversed in full (`reversed`); a post, a void and a reverse are `posted`, `voided`,
 * `reversed`.
 */
export const operationStatuses: Record<PartnerOperationName, readonly string[]> = {
  reserve: ['reserved', 'posted', 'voided', 'expired'],
  post: ['posted'],
  void: ['voided'],
  credit: ['credited', 'reversed'],
  reverse: ['reversed'],
};

export interface ReconciliationPeriod {
  from: Date;
  to: Date;
}

/** What a run reads from both sides: the period widened by the tolerance at both edges. */
export function readWindow(period: ReconciliationPeriod, toleranceMs: number): ReconciliationPeriod {
  return {
    from: new Date(period.from.getTime() - toleranceMs),
    to: new Date(period.to.getTime() + toleranceMs),
  };
}

/** The age of a break in whole hours, counted from when its item happened. */
export function breakAgeHours(occurredAt: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - occurredAt.getTime()) / 3_600_000));
}
