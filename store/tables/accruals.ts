// Accruals' tables: earn agreements and their versions, accruals (a purchase's points), their
// refunds (accrual reversals) and the accrual's timeline.
import type { Immutable, ImmutableTimestamp, Json, Serial, Timestamp } from './columns.ts';

export interface EarnAgreementsTable {
  id: Immutable<string>;
  merchant_partner_id: Immutable<string>;
  program_id: Immutable<string>;
  created_at: ImmutableTimestamp;
}

/** Terms never change once proposed; only the merchant's acceptance is filled in. */
export interface EarnAgreementVersionsTable {
  agreement_id: Immutable<string>;
  version: Immutable<number>;
  purchase_currency: Immutable<string>;
  earn_points: Immutable<bigint>;
  per_amount_minor: Immutable<bigint>;
  tier_bonuses: Json;
  price_amount_minor: Immutable<bigint>;
  price_per_points: Immutable<bigint>;
  price_currency: Immutable<string>;
  effective_from: Immutable<Date>;
  effective_until: Immutable<Date | null>;
  proposed_by: Immutable<string>;
  merchant_accepted_at: Date | null;
  created_at: ImmutableTimestamp;
}

export type AccrualStatus = 'pending' | 'completed' | 'failed' | 'needs_attention';

export interface AccrualsTable {
  id: Immutable<string>;
  merchant_partner_id: Immutable<string>;
  order_reference: Immutable<string>;
  member_id: Immutable<string>;
  program_id: Immutable<string>;
  account_ref: Immutable<string>;
  tier: Immutable<string | null>;
  purchase_amount_minor: Immutable<bigint>;
  purchase_currency: Immutable<string>;
  agreement_id: Immutable<string>;
  agreement_version: Immutable<number>;
  points: Immutable<bigint>;
  amount_owed_minor: Immutable<bigint>;
  currency: Immutable<string>;
  /** What changed the points: the tier bonus and the programme campaigns that applied (JSON, as quotes'). */
  modifiers: Json;
  status: AccrualStatus;
  failure_code: string | null;
  failure_detail: string | null;
  created_at: ImmutableTimestamp;
  updated_at: Timestamp;
}

export type AccrualReversalStatus = 'pending' | 'completed' | 'failed' | 'needs_attention';

/** What a refund asks is fixed at creation; what it took back is written when it ends. */
export interface AccrualReversalsTable {
  id: Immutable<string>;
  accrual_id: Immutable<string>;
  reason: Immutable<string>;
  refund_amount_minor: Immutable<bigint>;
  points: Immutable<bigint>;
  status: AccrualReversalStatus;
  taken_points: bigint | null;
  reversed_amount_minor: bigint | null;
  shortfall_points: bigint | null;
  failure_code: string | null;
  failure_detail: string | null;
  created_at: ImmutableTimestamp;
  updated_at: Timestamp;
}

export interface AccrualStepsTable {
  id: Serial;
  accrual_id: Immutable<string>;
  step: Immutable<string>;
  outcome: Immutable<string>;
  detail: Immutable<string | null>;
  at: ImmutableTimestamp;
}
