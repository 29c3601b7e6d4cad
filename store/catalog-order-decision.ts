// The order decided in one statement, run in autocommit: the quote, its item version and the
// member's link read; the stock taken (never below zero); the member's count (never past the
// limit); a pool code held; the quote spent; the request's key bound to the order; the order and its
// first step written. The item's row, which every buyer of a flash sale takes, is held from the stock
// update to the commit and for no client round trip, as a bare conditional decrement holds it.
//
// A refusal before the stock is taken (sold out, an expired or spent quote, an item off sale)
// writes nothing but the key's release, in the same statement: the answer costs one round trip. A
// refusal after it (the member's limit, a dry pool, the key bound by another run of it, the quote
// spent by a concurrent order) fails the statement through catalog_order_refused, so PostgreSQL
// rolls all of it back; those are rare, and the caller releases the key as for any error.
//
// A refusal's statement commits without waiting for the WAL flush (synchronous_commit off for its
// own transaction, set only when it released the key): it wrote nothing but the release, and a
// release lost in a database crash only leaves the key claimed until its lease runs out (seconds),
// after which a retry runs the request again. A placed order always waits for the flush.
import { CompiledQuery, type Kysely } from 'kysely';
import type { CatalogOrder, CatalogOrderStep, Database } from './database.ts';

/** The price quote, its item version and the member's link, as the statement read them. */
export interface OrderFacts {
  quote_id: string;
  member_id: string;
  source_program_id: string;
  debit_points: bigint;
  used_by_order_id: string | null;
  expires_at: Date;
  item_id: string;
  item_version: number;
  item_status: string;
  sale_starts_at: Date;
  sale_ends_at: Date | null;
  /** Null when the member's link to the programme was revoked. */
  account_ref: string | null;
  /** A coupon's fixed end, when the version gives one: past it, nothing of it is sold. */
  coupon_until: Date | null;
  /** False while the item's publisher is suspended: nothing of it is sold. */
  publisher_active: boolean;
}

export type OrderDecision =
  /** No quote for an item with this id, priced for this partner. */
  | { outcome: 'no_quote'; released: boolean }
  /** Nothing taken (sold out, or a refusal the facts explain); the key released when `released`. */
  | { outcome: 'not_placed'; facts: OrderFacts; released: boolean }
  | { outcome: 'placed'; order: CatalogOrder; step: CatalogOrderStep }
  /** Refused after the stock was taken: the statement failed and wrote nothing, the key is still held. */
  | {
      outcome: 'rolled_back';
      reason: 'purchase_limit_reached' | 'pool_dry' | 'key_bound' | 'quote_spent';
      detail: string;
    };

export interface DecisionRow extends Partial<OrderFacts> {
  found: boolean;
  released: boolean;
  taken: boolean;
  held_code: string | null;
  created_at: Date | null;
  updated_at: Date | null;
  step_id: bigint | null;
  step_detail: string | null;
  step_at: Date | null;
}

const refusals = new Set(['purchase_limit_reached', 'pool_dry', 'key_bound', 'quote_spent']);

/** The statement failed on purpose (catalog_order_refused), or on the quote's unique order. */
export function rolledBack(error: unknown): Extract<OrderDecision, { outcome: 'rolled_back' }> | undefined {
  const failure = error as {
    code?: string;
    hint?: string;
    message?: string;
    detail?: string;
    constraint?: string;
  };
  if (
    failure.code === 'P0001' &&
    failure.hint === 'catalog_order_refused' &&
    refusals.has(failure.message ?? '')
  ) {
    return {
      outcome: 'rolled_back',
      reason: failure.message as 'purchase_limit_reached',
      detail: failure.detail ?? '',
    };
  }
  // Two orders of one quote at once: the second waits for the first's row and then finds it taken.
  if (failure.code === '23505' && failure.constraint === 'catalog_orders_quote_id_key') {
    return { outcome: 'rolled_back', reason: 'quote_spent', detail: '' };
  }
  return undefined;
}

/**
 * The statement, its text built once: $1 the quote, $2 the partner, $3 now, $4 the new order's id,
 * $5 and $6 the key's principal and key. Each write below `taken` runs only when the stock was taken;
 * the final select fails the statement when one of them was refused, so that the stock is never
 * taken without an order.
 */
const decision = `
  with
  facts as (
    select q.id as quote_id, q.member_id, q.source_program_id, q.debit_points, q.used_by_order_id,
      q.expires_at, q.item_id, q.item_version, i.status as item_status, i.code_source,
      v.sale_starts_at, v.sale_ends_at, v.per_member_limit, l.account_ref,
      (v.details->'validity'->>'until')::timestamptz as coupon_until,
      (select pa.status = 'active' from programs p join partners pa on pa.id = p.partner_id
        where p.id = i.program_id) as publisher_active
    from quotes q
    join catalog_items i on i.id = q.item_id
    join catalog_item_versions v on v.item_id = q.item_id and v.version = q.item_version
    left join member_links l
      on l.member_id = q.member_id and l.program_id = q.source_program_id and l.revoked_at is null
        and 'redemptions' = any(l.consent_scopes)
    where q.id = $1::text and q.requested_by = $2::text
  ),
  open as (
    select * from facts
    where used_by_order_id is null and expires_at > $3::timestamptz and item_status = 'active'
      and sale_starts_at <= $3::timestamptz and (sale_ends_at is null or sale_ends_at > $3::timestamptz)
      and publisher_active
      and (coupon_until is null or coupon_until > $3::timestamptz)
      and account_ref is not null
  ),
  taken as (
    update catalog_items set stock_left = stock_left - 1
    where id = (select item_id from open) and stock_left > 0 and status = 'active'
    returning id
  ),
  counted as (
    insert into catalog_member_purchases (item_id, member_id, bought)
    select o.item_id, o.member_id, 1 from open o where exists (select from taken)
    on conflict (item_id, member_id) do update set bought = catalog_member_purchases.bought + 1
      where (select per_member_limit from open) is null
        or catalog_member_purchases.bought < (select per_member_limit from open)
    returning bought
  ),
  held as (
    update catalog_codes set status = 'held', order_id = $4::text
    where (item_id, code) = (
      select c.item_id, c.code from catalog_codes c
      where c.item_id = (select item_id from open where code_source = 'pool') and c.status = 'available'
        and exists (select from taken)
      limit 1 for update skip locked)
    returning code
  ),
  spent as (
    update quotes set used_by_order_id = $4::text
    where id = $1::text and used_by_order_id is null and exists (select from taken)
    returning id
  ),
  bound as (
    update idempotency_records set effect_id = coalesce(effect_id, $4::text)
    where principal = $5::text and key = $6::text and exists (select from taken)
    returning effect_id
  ),
  ordered as (
    insert into catalog_orders (id, item_id, item_version, quote_id, requested_by, member_id, program_id,
      account_ref, debit_points, status, held_code)
    select $4::text, o.item_id, o.item_version, o.quote_id, $2::text, o.member_id, o.source_program_id,
      o.account_ref, o.debit_points, 'reserved', (select code from held)
    from open o where exists (select from taken)
    returning held_code, created_at, updated_at
  ),
  stepped as (
    insert into catalog_order_steps (order_id, step, outcome, detail)
    select $4::text, 'reserved', 'done', 'quote ' || $1::text from ordered
    returning id, detail, at
  ),
  released as (
    delete from idempotency_records
    where principal = $5::text and key = $6::text and status = 'in_progress' and effect_id is null
      and not exists (select from taken) and not exists (select from facts where used_by_order_id is not null)
    returning set_config('synchronous_commit', 'off', true)
  )
  select f.quote_id is not null as found, f.quote_id, f.member_id, f.source_program_id, f.debit_points,
    f.used_by_order_id, f.expires_at, f.item_id, f.item_version, f.item_status, f.sale_starts_at,
    f.sale_ends_at, f.account_ref, f.coupon_until, f.publisher_active,
    exists (select from released) as released,
    t.id is not null as taken,
    o.held_code, o.created_at, o.updated_at, s.id as step_id, s.detail as step_detail, s.at as step_at,
    case
      when t.id is null then null
      when f.per_member_limit is not null and not exists (select from counted)
        then catalog_order_refused('purchase_limit_reached', f.per_member_limit::text)
      when f.code_source = 'pool' and not exists (select from held) then catalog_order_refused('pool_dry')
      when not exists (select from spent) then catalog_order_refused('quote_spent')
      when (select effect_id from bound) is distinct from $4::text
        then catalog_order_refused('key_bound', (select effect_id from bound))
    end as refused
  from (values (1)) as anchor (one)
  left join facts f on true
  left join taken t on true
  left join ordered o on true
  left join stepped s on true`;

export interface DecisionInput {
  orderId: string;
  quoteId: string;
  partnerId: string;
  idempotency: { principal: string; key: string };
  now: Date;
}

export async function decideOrder(db: Kysely<Database>, input: DecisionInput): Promise<OrderDecision> {
  const { orderId, quoteId, partnerId, now } = input;
  const { principal, key } = input.idempotency;
  let row: DecisionRow | undefined;
  try {
    const result = await db.executeQuery<DecisionRow>(
      CompiledQuery.raw(decision, [quoteId, partnerId, now, orderId, principal, key]),
    );
    row = result.rows[0];
  } catch (error) {
    const refused = rolledBack(error);
    if (refused) return refused;
    throw error;
  }
  if (!row) throw new Error('the order decision returned no row');
  return toDecision(row, input);
}

/** What a decision's row says (store/catalog-order-decision-batch.ts reads its rows with it too). */
export function toDecision(row: DecisionRow, input: DecisionInput): OrderDecision {
  const { orderId, partnerId } = input;
  if (!row.found) return { outcome: 'no_quote', released: row.released };
  const facts: OrderFacts = {
    quote_id: row.quote_id as string,
    member_id: row.member_id as string,
    source_program_id: row.source_program_id as string,
    debit_points: row.debit_points as bigint,
    used_by_order_id: row.used_by_order_id ?? null,
    expires_at: row.expires_at as Date,
    item_id: row.item_id as string,
    item_version: row.item_version as number,
    item_status: row.item_status as string,
    sale_starts_at: row.sale_starts_at as Date,
    sale_ends_at: row.sale_ends_at ?? null,
    account_ref: row.account_ref ?? null,
    coupon_until: row.coupon_until ?? null,
    publisher_active: row.publisher_active ?? false,
  };
  if (!row.taken || row.created_at === null || row.updated_at === null || row.step_at === null) {
    if (row.taken) throw new Error(`order ${orderId} took the stock but was not written`);
    return { outcome: 'not_placed', facts, released: row.released };
  }
  return {
    outcome: 'placed',
    order: {
      id: orderId,
      item_id: facts.item_id,
      item_version: facts.item_version,
      quote_id: facts.quote_id,
      requested_by: partnerId,
      member_id: facts.member_id,
      reserved_expiry_profile: null,
      program_id: facts.source_program_id,
      account_ref: facts.account_ref as string,
      debit_points: facts.debit_points,
      status: 'reserved',
      held_code: row.held_code,
      failure_code: null,
      failure_detail: null,
      created_at: row.created_at,
      updated_at: row.updated_at,
    },
    step: {
      id: row.step_id as bigint,
      order_id: orderId,
      step: 'reserved',
      outcome: 'done',
      detail: row.step_detail,
      at: row.step_at,
    },
  };
}
