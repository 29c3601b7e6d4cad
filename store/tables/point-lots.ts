// The hosted ledger's lots (points with their expiry), the lots a reservation holds, and what a
// transfer's reservation was made of as its source reported it.
import type { ColumnType } from 'kysely';
import type { Immutable, ImmutableTimestamp, Serial } from './columns.ts';

export interface LedgerLotsTable {
  id: Serial;
  account_id: Immutable<bigint>;
  /** The credit that made it; null for points held before lots existed. */
  credit_transfer_id: Immutable<bigint | null>;
  /** Null: never expires. */
  expires_at: Immutable<Date | null>;
  points: Immutable<bigint>;
  /** Points neither burnt, held by a reservation, nor expired. */
  remaining_points: bigint;
  expired_points: ColumnType<bigint, bigint | undefined, bigint>;
  created_at: ImmutableTimestamp;
}

export interface LedgerLotHoldsTable {
  reservation_id: Immutable<bigint>;
  lot_id: Immutable<bigint>;
  points: Immutable<bigint>;
}

/** One portion of a stored expiry profile: points as a decimal string, expiresAt ISO or null. */
export interface StoredExpiryPortion {
  points: string;
  expiresAt: string | null;
}

export interface TransferExpiryProfilesTable {
  transfer_id: Immutable<string>;
  profile: ColumnType<StoredExpiryPortion[], string, never>;
  reported_at: Immutable<Date>;
}
