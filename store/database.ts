// The database's shape as Kysely sees it. Columns that the database fills are Generated<>; a
// nullable column is `T | null`, never optional. Rows that must never change have `never` updates.
import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';

import type { ShortfallPayer } from '../domain/rate-terms.ts';
import type {
  AccrualReversalsTable,
  AccrualStepsTable,
  AccrualsTable,
  EarnAgreementsTable,
  EarnAgreementVersionsTable,
} from './tables/accruals.ts';
import type { ProgramCampaignCapsTable, ProgramCampaignsTable } from './tables/campaigns.ts';
import type {
  CatalogCodesTable,
  CatalogItemsTable,
  CatalogItemVersionsTable,
  CatalogMemberPurchasesTable,
  CatalogOrderStepsTable,
  CatalogOrdersTable,
  CouponsTable,
} from './tables/catalog.ts';
import type { Immutable, ImmutableTimestamp, Json, Serial, Timestamp } from './tables/columns.ts';
import type {
  ConsoleAuditLogTable,
  ConsoleSessionsTable,
  ConsoleSignInAttemptsTable,
  ConsoleUsersTable,
} from './tables/console.ts';
import type { CatalogDrawEntriesTable, CatalogDrawsTable } from './tables/draws.ts';
import type {
  ConservationChecksTable,
  FinanceFlagsTable,
  ReconciliationBreaksTable,
  ReconciliationPartnerPagesTable,
  ReconciliationRunsTable,
  SweepActionsTable,
  TransferReversalsTable,
} from './tables/finance.ts';
import type {
  LedgerAccountsTable,
  LedgerEntriesTable,
  LedgerTransfersTable,
} from './tables/hosted-ledger.ts';
import type {
  LedgerLotHoldsTable,
  LedgerLotsTable,
  TransferExpiryProfilesTable,
} from './tables/point-lots.ts';
import type {
  CashAgreementsTable,
  PointsPaymentOperationsTable,
  PointsPaymentStepsTable,
  PointsPaymentsTable,
} from './tables/points-payments.ts';
import type {
  ExposureCapsTable,
  SettlementCyclesTable,
  SettlementGrossTable,
  SettlementInstructionsTable,
  SettlementObligationsTable,
  SettlementPositionsTable,
  SettlementStatementsTable,
} from './tables/settlement.ts';
import type { TheftHoldPoliciesTable, TransferHoldsTable } from './tables/theft-holds.ts';

export type * from './tables/accruals.ts';
export type * from './tables/campaigns.ts';
export type * from './tables/catalog.ts';
export type * from './tables/console.ts';
export type * from './tables/draws.ts';
export type * from './tables/finance.ts';
export type * from './tables/hosted-ledger.ts';
export type * from './tables/point-lots.ts';
export type * from './tables/points-payments.ts';
export type * from './tables/settlement.ts';
export type * from './tables/theft-holds.ts';

export type PartnerStatus = 'active' | 'suspended';
export type PartnerKeyStatus = 'active' | 'retired';
export type ProgramLedger = 'partner_system' | 'hosted';

export interface PartnersTable {
  id: Immutable<string>;
  name: string;
  status: PartnerStatus;
  webhook_url: string | null;
  /** Where the partner's own loyalty system answers the gateway (programmes with ledger partner_system). */
  loyalty_api_url: string | null;
  created_at: ImmutableTimestamp;
  updated_at: Timestamp;
}

export interface ProgramsTable {
  id: Immutable<string>;
  partner_id: Immutable<string>;
  name: string;
  unit_name: string;
  ledger: Immutable<ProgramLedger>;
  /** Hosted programmes: the expiry of the lots credits make, and reminder days ahead (largest first). */
  points_expiry_rule: ColumnType<
    PointsExpiryRuleKind,
    PointsExpiryRuleKind | undefined,
    PointsExpiryRuleKind
  >;
  points_expiry_period: ColumnType<number | null, number | null | undefined, number | null>;
  expiry_reminder_days: ColumnType<number[], number[] | undefined, number[]>;
  created_at: ImmutableTimestamp;
}

export type PointsExpiryRuleKind = 'never' | 'months_after_earning' | 'end_of_calendar_year';

export interface PartnerKeysTable {
  partner_id: Immutable<string>;
  kid: Immutable<string>;
  alg: Immutable<string>;
  /** The public JWK as the partner registered it; jsonb. */
  public_jwk: ColumnType<Record<string, unknown>, string, never>;
  status: PartnerKeyStatus;
  created_at: ImmutableTimestamp;
  retired_at: Date | null;
}

export interface RequestNoncesTable {
  issuer: string;
  jti: string;
  expires_at: Date;
}

export type IdempotencyStatus = 'in_progress' | 'completed';

export interface IdempotencyRecordsTable {
  principal: Immutable<string>;
  key: Immutable<string>;
  request_hash: Immutable<string>;
  status: IdempotencyStatus;
  response_status: number | null;
  response_content_type: string | null;
  response_body: string | null;
  locked_until: Date;
  /** The id of what the request created (a transfer), bound in the same transaction as the effect. */
  effect_id: string | null;
  created_at: ImmutableTimestamp;
}

export interface MembersTable {
  id: Immutable<string>;
  created_at: ImmutableTimestamp;
}

export interface MemberLinksTable {
  id: Immutable<string>;
  member_id: Immutable<string>;
  program_id: Immutable<string>;
  account_ref: Immutable<string>;
  tier: string | null;
  consent_granted_at: Immutable<Date>;
  consent_scopes: Immutable<string[]>;
  consent_reference: Immutable<string>;
  linked_at: ImmutableTimestamp;
  cooling_off_until: Immutable<Date>;
  revoked_at: Date | null;
  revoked_reason: string | null;
}

export interface RateAgreementsTable {
  id: Immutable<string>;
  source_program_id: Immutable<string>;
  target_program_id: Immutable<string>;
  created_at: ImmutableTimestamp;
}

/** Terms never change once proposed; only the two acceptances are filled in. */
export interface RateAgreementVersionsTable {
  agreement_id: Immutable<string>;
  version: Immutable<number>;
  from_points: Immutable<bigint>;
  to_points: Immutable<bigint>;
  rounding: Immutable<'floor'>;
  fee_basis_points: Immutable<bigint>;
  fee_payer: Immutable<'source_partner' | 'member'>;
  /** Who bears the points a reversal cannot take back because the target member spent them. */
  reversal_shortfall_payer: ColumnType<ShortfallPayer, ShortfallPayer | undefined, never>;
  source_points_min: Immutable<bigint>;
  source_points_max: Immutable<bigint>;
  member_daily_cap_source_points: Immutable<bigint>;
  settlement_amount_minor: Immutable<bigint>;
  settlement_per_target_points: Immutable<bigint>;
  settlement_currency: Immutable<string>;
  tier_ratios: Json;
  campaigns: Json;
  effective_from: Immutable<Date>;
  effective_until: Immutable<Date | null>;
  /** Days of life a transfer's credit keeps at least, whatever expiry paid for it; null: none granted. */
  min_remaining_life_days: ColumnType<number | null, number | null | undefined, never>;
  proposed_by: Immutable<string>;
  source_accepted_at: Date | null;
  target_accepted_at: Date | null;
  created_at: ImmutableTimestamp;
}

export interface QuotesTable {
  id: Immutable<string>;
  requested_by: Immutable<string>;
  member_id: Immutable<string>;
  source_program_id: Immutable<string>;
  target_program_id: Immutable<string>;
  agreement_id: Immutable<string>;
  agreement_version: Immutable<number>;
  converted_source_points: Immutable<bigint>;
  fee_points: Immutable<bigint>;
  debit_points: Immutable<bigint>;
  credit_points: Immutable<bigint>;
  /** The cap that applied to this member's transfers out today (lower while the link cools off). */
  daily_cap_source_points: Immutable<bigint>;
  ratio_numerator: Immutable<bigint>;
  ratio_denominator: Immutable<bigint>;
  remainder_numerator: Immutable<bigint>;
  remainder_denominator: Immutable<bigint>;
  modifiers: Json;
  settlement_amount_minor: Immutable<bigint>;
  fee_amount_minor: Immutable<bigint>;
  currency: Immutable<string>;
  expires_at: Immutable<Date>;
  used_by_transfer_id: string | null;
  /** For a price quote of a catalog item: the item and the version it prices. */
  item_id: Immutable<string | null>;
  item_version: Immutable<number | null>;
  used_by_order_id: string | null;
  created_at: ImmutableTimestamp;
}

/** held: a theft hold keeps it from starting until its source partner releases it (store/theft-holds.ts). */
export type TransferStatus =
  | 'held'
  | 'pending'
  | 'reserved'
  | 'credited'
  | 'completed'
  | 'failed'
  | 'needs_attention';

export interface TransfersTable {
  id: Immutable<string>;
  quote_id: Immutable<string>;
  requested_by: Immutable<string>;
  member_id: Immutable<string>;
  source_program_id: Immutable<string>;
  target_program_id: Immutable<string>;
  source_account_ref: Immutable<string>;
  target_account_ref: Immutable<string>;
  debit_points: Immutable<bigint>;
  credit_points: Immutable<bigint>;
  status: TransferStatus;
  /** Set with the step that posts or voids the reservation at the source; a post wins over a void. */
  reservation_end: 'posted' | 'voided' | null;
  failure_code: string | null;
  failure_detail: string | null;
  created_at: ImmutableTimestamp;
  updated_at: Timestamp;
}

export interface TransferStepsTable {
  id: Serial;
  transfer_id: string;
  step: string;
  outcome: string;
  detail: string | null;
  at: ImmutableTimestamp;
}

export interface WebhookDeliveriesTable {
  id: Immutable<string>;
  partner_id: Immutable<string>;
  event_type: Immutable<string>;
  event_id: Immutable<string>;
  payload: Json;
  status: 'pending' | 'delivered' | 'failed';
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: ImmutableTimestamp;
}

export interface Database {
  partners: PartnersTable;
  programs: ProgramsTable;
  partner_keys: PartnerKeysTable;
  request_nonces: RequestNoncesTable;
  idempotency_records: IdempotencyRecordsTable;
  members: MembersTable;
  member_links: MemberLinksTable;
  rate_agreements: RateAgreementsTable;
  rate_agreement_versions: RateAgreementVersionsTable;
  quotes: QuotesTable;
  transfers: TransfersTable;
  transfer_steps: TransferStepsTable;
  transfer_reversals: TransferReversalsTable;
  reconciliation_runs: ReconciliationRunsTable;
  reconciliation_partner_pages: ReconciliationPartnerPagesTable;
  reconciliation_breaks: ReconciliationBreaksTable;
  settlement_obligations: SettlementObligationsTable;
  settlement_cycles: SettlementCyclesTable;
  settlement_gross: SettlementGrossTable;
  settlement_positions: SettlementPositionsTable;
  settlement_instructions: SettlementInstructionsTable;
  settlement_statements: SettlementStatementsTable;
  exposure_caps: ExposureCapsTable;
  finance_flags: FinanceFlagsTable;
  sweep_actions: SweepActionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  conservation_checks: ConservationChecksTable;
  ledger_accounts: LedgerAccountsTable;
  ledger_transfers: LedgerTransfersTable;
  ledger_entries: LedgerEntriesTable;
  ledger_lots: LedgerLotsTable;
  ledger_lot_holds: LedgerLotHoldsTable;
  transfer_expiry_profiles: TransferExpiryProfilesTable;
  catalog_items: CatalogItemsTable;
  catalog_item_versions: CatalogItemVersionsTable;
  catalog_member_purchases: CatalogMemberPurchasesTable;
  catalog_codes: CatalogCodesTable;
  catalog_orders: CatalogOrdersTable;
  catalog_order_steps: CatalogOrderStepsTable;
  coupons: CouponsTable;
  catalog_draws: CatalogDrawsTable;
  catalog_draw_entries: CatalogDrawEntriesTable;
  program_campaigns: ProgramCampaignsTable;
  program_campaign_caps: ProgramCampaignCapsTable;
  theft_hold_policies: TheftHoldPoliciesTable;
  transfer_holds: TransferHoldsTable;
  console_users: ConsoleUsersTable;
  console_sessions: ConsoleSessionsTable;
  console_sign_in_attempts: ConsoleSignInAttemptsTable;
  console_audit_log: ConsoleAuditLogTable;
  earn_agreements: EarnAgreementsTable;
  earn_agreement_versions: EarnAgreementVersionsTable;
  accruals: AccrualsTable;
  accrual_reversals: AccrualReversalsTable;
  accrual_steps: AccrualStepsTable;
  cash_agreements: CashAgreementsTable;
  points_payments: PointsPaymentsTable;
  points_payment_operations: PointsPaymentOperationsTable;
  points_payment_steps: PointsPaymentStepsTable;
}

export type Partner = Selectable<PartnersTable>;
export type NewPartner = Insertable<PartnersTable>;
export type PartnerUpdate = Updateable<PartnersTable>;
export type Program = Selectable<ProgramsTable>;
export type NewProgram = Insertable<ProgramsTable>;
export type PartnerKey = Selectable<PartnerKeysTable>;
export type NewPartnerKey = Insertable<PartnerKeysTable>;
export type IdempotencyRecord = Selectable<IdempotencyRecordsTable>;
export type MemberLink = Selectable<MemberLinksTable>;
export type SettlementCycle = Selectable<SettlementCyclesTable>;
export type SettlementObligation = Selectable<SettlementObligationsTable>;
export type SettlementInstruction = Selectable<SettlementInstructionsTable>;
export type SettlementPosition = Selectable<SettlementPositionsTable>;
export type RateAgreementVersion = Selectable<RateAgreementVersionsTable>;
export type Quote = Selectable<QuotesTable>;
export type Transfer = Selectable<TransfersTable>;
export type TransferStep = Selectable<TransferStepsTable>;
export type SweepAction = Selectable<SweepActionsTable>;
export type TransferReversal = Selectable<TransferReversalsTable>;
export type FinanceFlag = Selectable<FinanceFlagsTable>;
export type ReconciliationRun = Selectable<ReconciliationRunsTable>;
export type ReconciliationBreak = Selectable<ReconciliationBreaksTable>;
export type LedgerAccount = Selectable<LedgerAccountsTable>;
export type WebhookDelivery = Selectable<WebhookDeliveriesTable>;
export type CatalogItem = Selectable<CatalogItemsTable>;
export type CatalogItemVersion = Selectable<CatalogItemVersionsTable>;
export type CatalogOrder = Selectable<CatalogOrdersTable>;
export type CatalogOrderStep = Selectable<CatalogOrderStepsTable>;
export type Coupon = Selectable<CouponsTable>;
export type EarnAgreementVersion = Selectable<EarnAgreementVersionsTable>;
export type Accrual = Selectable<AccrualsTable>;
export type AccrualReversal = Selectable<AccrualReversalsTable>;
export type AccrualStep = Selectable<AccrualStepsTable>;
