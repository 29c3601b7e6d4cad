// Points as cash at checkout: cash agreements (what a programme's point is worth to a merchant),
// payments, the operations asked of them (authorize, capture, void, refund) and their steps.
import type { ColumnType, Selectable } from 'kysely';
import type { Immutable, ImmutableTimestamp, Serial, Timestamp } from './columns.ts';
import type { StoredExpiryPortion } from './point-lots.ts';

export type CashAgreementStatus = 'offered' | 'accepted' | 'ended';

export interface CashAgreementsTable {
  id: Immutable<string>;
  program_id: Immutable<string>;
  owner_id: Immutable<string>;
  merchant_id: Immutable<string>;
  amount_minor: Immutable<bigint>;
  per_points: Immutable<bigint>;
  currency: Immutable<string>;
  status: CashAgreementStatus;
  offered_at: ImmutableTimestamp;
  accepted_at: Date | null;
  ended_at: Date | null;
}

export type PointsPaymentStatus =
  | 'authorizing'
  | 'authorized'
  | 'capturing'
  | 'captured'
  | 'voiding'
  | 'voided'
  | 'expired'
  | 'failed'
  | 'needs_attention';

/** Zero when the payment is made; filled by its capture and refunds. */
type Counter = ColumnType<bigint, bigint | undefined, bigint>;

export interface PointsPaymentsTable {
  id: Immutable<string>;
  merchant_id: Immutable<string>;
  owner_id: Immutable<string>;
  member_id: Immutable<string>;
  program_id: Immutable<string>;
  account_ref: Immutable<string>;
  cash_agreement_id: Immutable<string>;
  price_amount_minor: Immutable<bigint>;
  price_per_points: Immutable<bigint>;
  currency: Immutable<string>;
  order_reference: Immutable<string>;
  authorized_points: Immutable<bigint>;
  authorized_amount_minor: Immutable<bigint>;
  captured_points: Counter;
  captured_amount_minor: Counter;
  refunded_points: Counter;
  refunded_amount_minor: Counter;
  status: PointsPaymentStatus;
  expires_at: Immutable<Date>;
  reservation_expires_at: Immutable<Date>;
  failure_code: string | null;
  failure_detail: string | null;
  created_at: ImmutableTimestamp;
  /** What the reservation was made of, as the programme reported it (store/reserved-expiry-profiles.ts). */
  reserved_expiry_profile: ColumnType<StoredExpiryPortion[] | null, never, string>;
  updated_at: Timestamp;
}

export type PointsPaymentOperationKind = 'authorize' | 'capture' | 'void' | 'refund';
export type PointsPaymentOperationStatus = 'pending' | 'completed' | 'failed' | 'needs_attention';

/** What an operation asks is fixed when it is accepted; only its status and failure change. */
export interface PointsPaymentOperationsTable {
  id: Immutable<string>;
  payment_id: Immutable<string>;
  kind: Immutable<PointsPaymentOperationKind>;
  requested_by: Immutable<string>;
  points: Immutable<bigint>;
  amount_minor: Immutable<bigint>;
  status: PointsPaymentOperationStatus;
  failure_code: string | null;
  failure_detail: string | null;
  created_at: ImmutableTimestamp;
  updated_at: Timestamp;
}

export interface PointsPaymentStepsTable {
  id: Serial;
  payment_id: Immutable<string>;
  operation_id: Immutable<string>;
  step: Immutable<string>;
  outcome: Immutable<string>;
  detail: Immutable<string | null>;
  at: ImmutableTimestamp;
}

export type CashAgreement = Selectable<CashAgreementsTable>;
export type PointsPayment = Selectable<PointsPaymentsTable>;
export type PointsPaymentOperation = Selectable<PointsPaymentOperationsTable>;
export type PointsPaymentStep = Selectable<PointsPaymentStepsTable>;
