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
  created_at: ImmutableTimestamp;
}

export interface Database {
  partners: PartnersTable;
  programs: ProgramsTable;
  partner_keys: PartnerKeysTable;
  request_nonces: RequestNoncesTable;
  idempotency_records: IdempotencyRecordsTable;
}

export type Partner = Selectable<PartnersTable>;
export type NewPartner = Insertable<PartnersTable>;
export type PartnerUpdate = Updateable<PartnersTable>;
export type Program = Selectable<ProgramsTable>;
export type NewProgram = Insertable<ProgramsTable>;
export type PartnerKey = Selectable<PartnerKeysTable>;
export type NewPartnerKey = Insertable<PartnerKeysTable>;
export type IdempotencyRecord = Selectable<IdempotencyRecordsTable>;
