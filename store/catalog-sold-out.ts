// Sold out, read before the order's key is claimed: the select an order's Idempotency-Key claim runs
// in its own statement (store/idempotency.ts `refuseWhen`), so that a sold-out answer, which most
// of a flash sale's answers are, costs one round trip and writes no claim. It yields a row only
// when the order decision (store/catalog-order-decision.ts) would pass every check that comes
// before the stock (the partner's quote, unspent, unexpired, the item active and on sale, the
// member still linked) and then find no stock: the answer is the one the decision gives, sold out,
// and every other case is left to it. Sound without a lock: stock only comes back when an order
// fails or its publisher restocks, and an order that reads the stock a moment too early would only
// have found it taken.
import { type RawBuilder, sql } from 'kysely';

export function soldOutQuote(input: { quoteId: string; partnerId: string; now: Date }): RawBuilder<{
  item_id: string;
}> {
  const { quoteId, partnerId, now } = input;
  return sql<{ item_id: string }>`
    select i.id as item_id
    from quotes q
    join catalog_items i on i.id = q.item_id
    join catalog_item_versions v on v.item_id = q.item_id and v.version = q.item_version
    where q.id = ${quoteId} and q.requested_by = ${partnerId} and q.used_by_order_id is null
      and q.expires_at > ${now} and i.status = 'active' and i.stock_left <= 0
      and v.sale_starts_at <= ${now} and (v.sale_ends_at is null or v.sale_ends_at > ${now})
      and exists (
        select from member_links l
        where l.member_id = q.member_id and l.program_id = q.source_program_id and l.revoked_at is null)`;
}
