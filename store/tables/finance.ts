// Finance's other tables: reversals, reconciliation runs and breaks, flags, what the sweep did,
// and the conservation monitor's results.
import type { ColumnType, Generated } from 'kysely';
import type { ShortfallPayer } from '../../domain/rate-terms.ts';
import type { Immutable, ImmutableTimestamp, Json, Serial, Timestamp } from './columns.ts';

export type { ShortfallPayer };

export type ReversalStatus = 'pending' | 'taken' | 'completed' | 'failed' | 'needs_attention';

/** What a reversal asks for is fixed at creation; what it achieved is written when it ends. */
export interface TransferReversalsTable {
  id: Immutable<string>;
  transfer_id: Immutable<string>;
  /** A partner id, or `finance`. */
  requested_by: Immutable<string>;
  reason: Immutable<string>;
  source_points: Immutable<bigint>;
  target_points: Immutable<bigint>;
  settlement_amount_minor: Immutable<bigint>;
  currency: Immutable<string>;
  shortfall_payer: Immutable<ShortfallPayer>;
  status: ReversalStatus;
  taken_target_points: bigint | null;
  returned_source_points: bigint | null;
  reversed_amount_minor: bigint | null;
  failure_code: string | null;
  failure_detail: string | null;
  created_at: ImmutableTimestamp;
  updated_at: Timestamp;
}

export type ReconciliationSource = 'partner_api' | 'upload' | 'hosted_ledger';

export interface ReconciliationRunsTable {
  id: Immutable<string>;
  partner_id: Immutable<string>;
  program_id: Immutable<string>;
  period_from: Immutable<Date>;
  period_to: Immutable<Date>;
  source: Immutable<ReconciliationSource>;
  requested_by: Immutable<string>;
  status: 'running' | 'completed' | 'failed';
  partner_item_count: bigint | null;
  matched_count: bigint | null;
  break_counts: ColumnType<unknown, string | null, string | null>;
  failure_detail: string | null;
  started_at: ImmutableTimestamp;
  finished_at: Date | null;
}

/**
 * A page of the partner's list staged for a run: the items' fields as parallel arrays; `repeats`
 * when its items are keys the partner had listed already (further listings, found while staging).
 */
export interface ReconciliationPartnerPagesTable {
  id: Serial;
  run_id: string;
  repeats: Generated<boolean>;
  keys: string[];
  operations: string[];
  account_refs: (string | null)[];
  points: string[];
  statuses: string[];
  ats: Date[];
}

/** What was found is immutable; only its resolution is filled in, once. */
export interface ReconciliationBreaksTable {
  id: Immutable<string>;
  partner_id: Immutable<string>;
  program_id: Immutable<string>;
  run_id: Immutable<string>;
  kind: Immutable<string>;
  item_key: Immutable<string>;
  operation: Immutable<string | null>;
  account_ref: Immutable<string | null>;
  gateway_points: Immutable<bigint | null>;
  partner_points: Immutable<bigint | null>;
  gateway_status: Immutable<string | null>;
  partner_status: Immutable<string | null>;
  partner_count: Immutable<number | null>;
  occurred_at: Immutable<Date>;
  detected_at: ImmutableTimestamp;
  resolution: string | null;
  resolution_reason: string | null;
  resolved_by: string | null;
  resolved_at: Date | null;
}

export interface FinanceFlagsTable {
  id: Serial;
  /**
   * A flag names one subject: a transfer (and maybe one of its reversals), a catalog order, an
   * accrual (and maybe one of its reversals) or a points payment.
   */
  transfer_id: string | null;
  reversal_id: string | null;
  catalog_order_id: string | null;
  accrual_id: string | null;
  accrual_reversal_id: string | null;
  points_payment_id: string | null;
  reason: string;
  created_at: ImmutableTimestamp;
  resolved_at: Date | null;
  resolution_reason: string | null;
  resolved_by: string | null;
}

/** What the stranded-transfer sweep did: one row per workflow and action (see the migration). */
export interface SweepActionsTable {
  id: Immutable<string>;
  subject_kind: Immutable<'transfer' | 'reversal'>;
  subject_id: Immutable<string>;
  transfer_id: Immutable<string>;
  action: Immutable<SweepActionKind>;
  workflow_id: Immutable<string>;
  subject_status: Immutable<string>;
  workflow_status: Immutable<string>;
  detail: Immutable<string | null>;
  at: ImmutableTimestamp;
}

export type SweepActionKind = 'started_workflow' | 'started_recovery' | 'left_running' | 'gave_up';

export interface ConservationChecksTable {
  id: Serial;
  /** The monitor run that wrote it: a retried run finds its row instead of writing another. */
  run_id: Immutable<string>;
  checked_at: ImmutableTimestamp;
  ok: Immutable<boolean>;
  /** domain/conservation.ts FindingsDocument; jsonb. */
  findings: Json;
}
