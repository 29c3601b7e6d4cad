// Catalog sync's rules: what a partner's own catalog feed says of one programme's items, and how the
// gateway's catalog follows it. An externalRef new to the programme is added; a known one whose terms,
// details or stock differ from its current version gets a new version; a synced item the feed no
// longer lists is withdrawn. An item the feed sent malformed is left as it is (neither changed nor
// withdrawn), so a partner's bad line never takes an item off sale.
import type { CouponDetails, ItemTerms, ProductDetails } from './catalog.ts';

export type FeedItemDetails =
  | { coupon: CouponDetails & { codeSource: 'generated' | 'pool' } }
  | { product: ProductDetails };

export interface FeedItem {
  externalRef: string;
  kind: 'coupon' | 'product';
  /** How many can be sold in all (sold ones included), as in the API. */
  stock: bigint;
  /** saleStartsAt null: on sale from when the gateway first saw it. */
  terms: Omit<ItemTerms, 'saleStartsAt'> & { saleStartsAt: Date | null };
  details: FeedItemDetails;
}

/** What a feed read gave: its items, and those it sent malformed (by externalRef when it had one). */
export interface CatalogFeed {
  items: FeedItem[];
  unreadable: { externalRef: string | null; problem: string }[];
}

/** A synced item of the programme as the catalog has it: its item row and current version. */
export interface SyncedItem {
  itemId: string;
  externalRef: string;
  kind: string;
  codeSource: 'generated' | 'pool' | null;
  status: 'active' | 'withdrawn';
  stockTotal: bigint;
  terms: ItemTerms;
  /** The current version's details as stored. */
  details: unknown;
}

export interface SyncPlan {
  add: FeedItem[];
  revise: { itemId: string; item: FeedItem; changed: string[] }[];
  withdraw: { itemId: string; externalRef: string }[];
  unchanged: { itemId: string; externalRef: string }[];
  refused: { externalRef: string | null; problem: string }[];
}

/** Equal as JSON values, whatever the order of object keys (jsonb keeps its own order). */
export function sameJson(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  const leftKeys = Object.keys(left).filter((key) => (left as Record<string, unknown>)[key] !== undefined);
  const rightKeys = Object.keys(right).filter((key) => (right as Record<string, unknown>)[key] !== undefined);
  if (leftKeys.length !== rightKeys.length) return false;
  return leftKeys.every((key) =>
    sameJson((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key]),
  );
}

const sameTime = (left: Date | null, right: Date | null) =>
  left === null || right === null ? left === right : left.getTime() === right.getTime();

const sameList = (left: readonly string[], right: readonly string[]) =>
  left.length === right.length && left.every((value, index) => value === right[index]);

/** The fields in which the feed's item differs from the catalog's current version. */
export function changedFields(current: SyncedItem, incoming: FeedItem, incomingDetails: unknown): string[] {
  const was = current.terms;
  const now = incoming.terms;
  const changed: string[] = [];
  if (was.title !== now.title) changed.push('title');
  if (was.description !== now.description) changed.push('description');
  if (!sameList(was.imageUrls, now.imageUrls)) changed.push('imageUrls');
  if (!sameList(was.tags, now.tags)) changed.push('tags');
  if (was.pricePoints !== now.pricePoints) changed.push('pricePoints');
  // A feed that leaves the start out keeps the one the gateway gave the item.
  if (now.saleStartsAt !== null && !sameTime(was.saleStartsAt, now.saleStartsAt))
    changed.push('saleStartsAt');
  if (!sameTime(was.saleEndsAt, now.saleEndsAt)) changed.push('saleEndsAt');
  if (was.perMemberLimit !== now.perMemberLimit) changed.push('perMemberLimit');
  if (!sameJson(current.details, incomingDetails)) changed.push('details');
  if (current.stockTotal !== incoming.stock) changed.push('stock');
  // A withdrawn item back in the feed comes back on sale (as a new version).
  if (current.status !== 'active') changed.push('status');
  return changed;
}

function codeSourceOf(item: FeedItem): 'generated' | 'pool' | null {
  return 'coupon' in item.details ? item.details.coupon.codeSource : null;
}

/**
 * What to do to make the programme's synced items follow the feed. `storedDetails` is how the
 * catalog stores an item's details, so the two are compared in one form.
 */
export function planCatalogSync(input: {
  feed: CatalogFeed;
  synced: readonly SyncedItem[];
  storedDetails: (details: FeedItemDetails) => unknown;
}): SyncPlan {
  const plan: SyncPlan = { add: [], revise: [], withdraw: [], unchanged: [], refused: [] };
  const byRef = new Map(input.synced.map((item) => [item.externalRef, item]));
  const listed = new Set<string>();
  for (const unreadable of input.feed.unreadable) {
    if (unreadable.externalRef !== null) listed.add(unreadable.externalRef);
    plan.refused.push(unreadable);
  }
  for (const item of input.feed.items) {
    if (listed.has(item.externalRef)) {
      plan.refused.push({ externalRef: item.externalRef, problem: 'listed more than once in the feed' });
      continue;
    }
    listed.add(item.externalRef);
    const current = byRef.get(item.externalRef);
    if (!current) {
      plan.add.push(item);
      continue;
    }
    if (current.kind !== item.kind || current.codeSource !== codeSourceOf(item)) {
      plan.refused.push({
        externalRef: item.externalRef,
        problem: `an item keeps its kind and code source (${current.kind}, ${current.codeSource ?? 'no codes'}); publish a new externalRef instead`,
      });
      continue;
    }
    const changed = changedFields(current, item, input.storedDetails(item.details));
    if (changed.length === 0)
      plan.unchanged.push({ itemId: current.itemId, externalRef: current.externalRef });
    else plan.revise.push({ itemId: current.itemId, item, changed });
  }
  for (const current of input.synced) {
    if (current.status === 'active' && !listed.has(current.externalRef)) {
      plan.withdraw.push({ itemId: current.itemId, externalRef: current.externalRef });
    }
  }
  return plan;
}
