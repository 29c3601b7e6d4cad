// The database's shape as Kysely sees it. Columns that the database fills are Generated<>; a
// nullable column is `T | null`, never optional. Rows that must never change have `never` updates.
import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type ImmutableTimestamp = ColumnType<Date, Date | string | undefined, never>;
type Immutable<T> = ColumnType<T, T, never>;

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
  created_at: ImmutableTimestamp;
}

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

type Json = ColumnType<unknown, string, never>;
type Serial = ColumnType<bigint, never, never>;

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
  created_at: ImmutableTimestamp;
}

export type TransferStatus = 'pending' | 'reserved' | 'credited' | 'completed' | 'failed' | 'needs_attention';

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

export type { ShortfallPayer } from '../domain/rate-terms.ts';

import type { ShortfallPayer } from '../domain/rate-terms.ts';

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

export interface ReconciliationPartnerItemsTable {
  run_id: string;
  key: string;
  operation: string;
  account_ref: string | null;
  points: bigint;
  status: string;
  at: Date;
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
  transfer_id: string;
  reversal_id: string | null;
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
  | 'abandoned';

export interface LedgerTransfersTable {
  id: Serial;
  program_id: Immutable<string>;
  key: Immutable<string>;
  operation: Immutable<'credit' | 'reserve' | 'post' | 'void' | 'reverse_credit' | 'abandon'>;
  debit_account_id: Immutable<bigint | null>;
  credit_account_id: Immutable<bigint | null>;
  amount_points: Immutable<bigint>;
  pending_transfer_id: Immutable<bigint | null>;
  status: LedgerTransferStatus;
  expires_at: Immutable<Date | null>;
  reason: Immutable<string>;
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

/** One run of the conservation monitor: whether every invariant held, and what each found. */
export interface ConservationChecksTable {
  id: Serial;
  /** The monitor run that wrote it: a retried run finds its row instead of writing another. */
  run_id: Immutable<string>;
  checked_at: ImmutableTimestamp;
  ok: Immutable<boolean>;
  /** domain/conservation.ts FindingsDocument; jsonb. */
  findings: Json;
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
  reconciliation_partner_items: ReconciliationPartnerItemsTable;
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
