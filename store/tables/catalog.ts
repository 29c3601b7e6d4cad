// The catalog's tables: items and their versions, stock and purchase counts, code pools, orders with
// their steps, and the coupons they issue.

import type { ColumnType } from 'kysely';
import type { ItemKind } from '../../domain/catalog.ts';
import type { Immutable, ImmutableTimestamp, Json, Serial, Timestamp } from './columns.ts';
import type { StoredExpiryPortion } from './point-lots.ts';

export type ItemStatus = 'active' | 'withdrawn';
export type CodeSource = 'generated' | 'pool';

export interface CatalogItemsTable {
  id: Immutable<string>;
  publisher_id: Immutable<string>;
  program_id: Immutable<string>;
  kind: Immutable<ItemKind>;
  status: ItemStatus;
  current_version: number;
  external_ref: Immutable<string | null>;
  code_source: Immutable<CodeSource | null>;
  stock_total: bigint;
  stock_left: bigint;
  created_at: ImmutableTimestamp;
  updated_at: Timestamp;
}

/** A version never changes: an edit is the next version, and an order keeps the one it bought. */
export interface CatalogItemVersionsTable {
  item_id: Immutable<string>;
  version: Immutable<number>;
  title: Immutable<string>;
  description: Immutable<string>;
  image_urls: Immutable<string[]>;
  tags: Immutable<string[]>;
  price_points: Immutable<bigint>;
  sale_starts_at: Immutable<Date>;
  sale_ends_at: Immutable<Date | null>;
  per_member_limit: Immutable<number | null>;
  details: Json;
  created_at: ImmutableTimestamp;
}

export interface CatalogMemberPurchasesTable {
  item_id: string;
  member_id: string;
  bought: number;
}

export interface CatalogCodesTable {
  item_id: Immutable<string>;
  code: Immutable<string>;
  status: 'available' | 'held' | 'issued';
  order_id: string | null;
}

export type OrderStatus = 'reserved' | 'completed' | 'failed' | 'needs_attention';

export interface CatalogOrdersTable {
  id: Immutable<string>;
  item_id: Immutable<string>;
  item_version: Immutable<number>;
  quote_id: Immutable<string>;
  requested_by: Immutable<string>;
  member_id: Immutable<string>;
  program_id: Immutable<string>;
  account_ref: Immutable<string>;
  debit_points: Immutable<bigint>;
  status: OrderStatus;
  held_code: string | null;
  failure_code: string | null;
  failure_detail: string | null;
  created_at: ImmutableTimestamp;
  /** What the reservation was made of, as the programme reported it (store/reserved-expiry-profiles.ts). */
  reserved_expiry_profile: ColumnType<StoredExpiryPortion[] | null, never, string>;
  updated_at: Timestamp;
}

export interface CatalogOrderStepsTable {
  id: Serial;
  order_id: string;
  step: string;
  outcome: string;
  detail: string | null;
  at: ImmutableTimestamp;
}

export type CouponStatus = 'issued' | 'redeemed' | 'expired' | 'refunded';

export interface CouponsTable {
  id: Immutable<string>;
  order_id: Immutable<string>;
  item_id: Immutable<string>;
  publisher_id: Immutable<string>;
  code: Immutable<string>;
  status: CouponStatus;
  valid_until: Immutable<Date | null>;
  issued_at: ImmutableTimestamp;
  redeemed_at: Date | null;
  /** Set by the expiry (migrations/2026-11-29T2000_add_coupon_expiry.ts) and the refund's saga. */
  expired_at: Date | null;
  refund_status: CouponRefundStatus | null;
  refund_failure_code: string | null;
  refund_failure_detail: string | null;
  refunded_at: Date | null;
}

/** due: owed to the member, its saga to run; flagged: refused or never answered, for finance. */
export type CouponRefundStatus = 'due' | 'refunded' | 'flagged';
