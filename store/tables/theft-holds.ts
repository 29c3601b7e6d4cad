// Theft holds: each programme's policy (threshold, signals that count), and the hold of each transfer
// that scored at or above it.
import type { ColumnType } from 'kysely';
import type { Immutable, ImmutableTimestamp, Json, Timestamp } from './columns.ts';

export interface TheftHoldPoliciesTable {
  program_id: Immutable<string>;
  threshold: number;
  hold_expiry_seconds: number;
  /** jsonb, replaced whole when the partner changes its policy. */
  signals: ColumnType<unknown, string, string>;
  updated_at: Timestamp;
}

export type TransferHoldStatus = 'held' | 'released' | 'cancelled' | 'expired';

export interface TransferHoldsTable {
  transfer_id: Immutable<string>;
  program_id: Immutable<string>;
  score: Immutable<number>;
  threshold: Immutable<number>;
  signals: Json;
  status: TransferHoldStatus;
  expires_at: Immutable<Date>;
  decided_at: Date | null;
  /** The partner that released or cancelled it; null while held and when it expired. */
  decided_by: string | null;
  created_at: ImmutableTimestamp;
}
