// Points draws' tables: a draw's terms, its seed and, once closed, its entry list's hash; the frozen
// entries with the winners' places.
import type { Immutable } from './columns.ts';

export type DrawStatus = 'open' | 'closed';

export interface CatalogDrawsTable {
  item_id: Immutable<string>;
  winners: Immutable<number>;
  prize_description: Immutable<string>;
  prize_item_id: Immutable<string | null>;
  prize_item_version: Immutable<number | null>;
  consolation_item_id: Immutable<string | null>;
  consolation_item_version: Immutable<number | null>;
  closes_at: Immutable<Date>;
  /** Secret until the draw closes. */
  seed: Immutable<string>;
  commitment: Immutable<string>;
  status: DrawStatus;
  entries_hash: string | null;
  closed_at: Date | null;
}

export interface CatalogDrawEntriesTable {
  order_id: Immutable<string>;
  item_id: Immutable<string>;
  winner_rank: Immutable<number | null>;
}
