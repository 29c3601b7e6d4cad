// Settlement's tables: obligations, cycles and what a close computes from them, exposure caps.
import type { Immutable, ImmutableTimestamp, Serial, Timestamp } from './columns.ts';

/** Kinds of obligation so far; the column takes any, so a new kind needs no schema change. */
export type ObligationKind = 'transfer' | 'alliance_fee' | (string & {});

/** Immutable once written: what one partner owes another (or the alliance), and in which cycle. */
export interface SettlementObligationsTable {
  id: Serial;
  /** The transfer it came from, for kinds that come from one. */
  transfer_id: Immutable<string | null>;
  /** What caused it (a transfer, a reversal...); unique with the kind, so nothing is owed twice. */
  source_id: Immutable<string>;
  kind: Immutable<ObligationKind>;
  debtor_partner_id: Immutable<string>;
  /** Null when the alliance itself is owed (its fee). */
  creditor_partner_id: Immutable<string | null>;
  amount_minor: Immutable<bigint>;
  currency: Immutable<string>;
  /** The cycle open when it was committed. */
  cycle_id: Immutable<string>;
  created_at: ImmutableTimestamp;
}

export type SettlementCycleStatus = 'open' | 'closed' | 'settled';

export interface SettlementCyclesTable {
  id: Immutable<string>;
  status: SettlementCycleStatus;
  period_label: string | null;
  opened_at: ImmutableTimestamp;
  closed_at: Date | null;
  settled_at: Date | null;
  obligation_count: bigint | null;
}

export interface SettlementGrossTable {
  cycle_id: Immutable<string>;
  currency: Immutable<string>;
  debtor_id: Immutable<string>;
  creditor_id: Immutable<string>;
  amount_minor: Immutable<bigint>;
  obligation_count: Immutable<bigint>;
}

export interface SettlementPositionsTable {
  cycle_id: Immutable<string>;
  currency: Immutable<string>;
  party_id: Immutable<string>;
  receivable_minor: Immutable<bigint>;
  payable_minor: Immutable<bigint>;
  net_minor: Immutable<bigint>;
}

/** A partner's statement of a closed cycle as issued at the close: a compact JWS of the statement. */
export interface SettlementStatementsTable {
  cycle_id: Immutable<string>;
  partner_id: Immutable<string>;
  jws: Immutable<string>;
}

export interface ExposureCapsTable {
  partner_id: Immutable<string>;
  currency: Immutable<string>;
  cap_minor: bigint;
  updated_at: Timestamp;
}

export interface SettlementInstructionsTable {
  id: Immutable<string>;
  cycle_id: Immutable<string>;
  currency: Immutable<string>;
  payer_id: Immutable<string>;
  payee_id: Immutable<string>;
  amount_minor: Immutable<bigint>;
  status: 'open' | 'paid';
  payment_reference: string | null;
  paid_at: Date | null;
}
