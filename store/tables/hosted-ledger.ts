// The hosted ledger's tables: accounts with their counters, transfers (movements) and their entries.
import type { ColumnType } from 'kysely';
import type { Immutable, ImmutableTimestamp, Serial } from './columns.ts';

export type LedgerAccountKind = 'member' | 'issuance' | 'alliance_clearing';

export interface LedgerAccountsTable {
  id: Serial;
  program_id: Immutable<string>;
  kind: Immutable<LedgerAccountKind>;
  account_ref: Immutable<string>;
  debits_pending: ColumnType<bigint, bigint | undefined, bigint>;
  debits_posted: ColumnType<bigint, bigint | undefined, bigint>;
  credits_pending: ColumnType<bigint, bigint | undefined, bigint>;
  credits_posted: ColumnType<bigint, bigint | undefined, bigint>;
  debits_must_not_exceed_credits: Immutable<boolean>;
  created_at: ImmutableTimestamp;
}

export type LedgerTransferStatus =
  | 'posted'
  | 'pending'
  | 'post_done'
  | 'voided'
  | 'expired'
  | 'reversed'
  | 'abandoned'
  /** A refused operation's key, kept so that a repeat gets the same refusal (operation `abandon`). */
  | 'refused';

export interface LedgerTransfersTable {
  id: Serial;
  program_id: Immutable<string>;
  key: Immutable<string>;
  operation: Immutable<'credit' | 'reserve' | 'post' | 'void' | 'reverse_credit' | 'abandon' | 'expire'>;
  debit_account_id: Immutable<bigint | null>;
  credit_account_id: Immutable<bigint | null>;
  amount_points: Immutable<bigint>;
  pending_transfer_id: Immutable<bigint | null>;
  status: LedgerTransferStatus;
  expires_at: Immutable<Date | null>;
  reason: Immutable<string>;
  /** A refusal's code; its detail is the reason. */
  refusal_code: Immutable<string | null>;
  created_at: ImmutableTimestamp;
}

/** Ledger entries are never changed nor deleted. */
export interface LedgerEntriesTable {
  id: Serial;
  transfer_id: Immutable<bigint>;
  account_id: Immutable<bigint>;
  phase: Immutable<'pending' | 'posted'>;
  amount_points: Immutable<bigint>;
  reason: Immutable<string>;
  created_at: ImmutableTimestamp;
}
