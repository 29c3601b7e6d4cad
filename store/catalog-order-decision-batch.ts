// Orders decided together: the orders that arrive while others are being decided go in one statement
// (store/statement-batcher.ts), which takes the item's row once for all of them and commits once. A
// flash sale's buyers all want the same row; decided one by one, each holds it for a WAL flush of
// its own, so the sale runs at one order per flush. An order that arrives when nothing else is being
// decided runs alone, through the one-order statement (store/catalog-order-decision.ts).
//
// The batch statement answers what the one-order statement answers, order by order: the checks
// before the stock (the quote, the item on sale, the member linked) are made per order; the item's
// row is locked, and its stock given to the batch's orders in their order of arrival, as far as it
// goes; an order left without stock is sold out and its key released in the statement. What the
// one-order statement refuses after the stock is taken (a limit reached since the snapshot, a dry
// pool, a key or quote taken by a concurrent run) fails the batch statement: then nothing of the
// batch was written, and each of its orders is decided again, alone. So is an order whose member has
// another order for the item in the batch, or has reached the item's per-member limit as the snapshot
// sees it: those are decided alone after the batch, by the statement that counts their purchases
// under its lock. Every purchase is counted, limit or none: a version that adds a limit later counts
// what the member bought before it.
import { CompiledQuery, type Kysely } from 'kysely';
import {
  type DecisionInput,
  type DecisionRow,
  decideOrder,
  type OrderDecision,
  rolledBack,
  toDecision,
} from './catalog-order-decision.ts';
import type { Database } from './database.ts';
import { alone, batcherPerPool, createStatementBatcher } from './statement-batcher.ts';

interface BatchRow extends DecisionRow {
  deferred: boolean;
}

/** $1… the orders' quotes, partners, nows, new order ids, key principals and keys, one per order. */
const decisions = `
  with
  input as (
    select * from unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[])
      with ordinality as u(quote_id, partner_id, now, order_id, principal, key, n)
  ),
  facts as (
    select u.n, q.id as quote_id, q.member_id, q.source_program_id, q.debit_points, q.used_by_order_id,
      q.expires_at, q.item_id, q.item_version, i.status as item_status, i.code_source,
      v.sale_starts_at, v.sale_ends_at, v.per_member_limit, l.account_ref,
      (v.details->'validity'->>'until')::timestamptz as coupon_until,
      (select pa.status = 'active' from programs p join partners pa on pa.id = p.partner_id
        where p.id = i.program_id) as publisher_active
    from input u
    join quotes q on q.id = u.quote_id and q.requested_by = u.partner_id
    join catalog_items i on i.id = q.item_id
    join catalog_item_versions v on v.item_id = q.item_id and v.version = q.item_version
    left join member_links l
      on l.member_id = q.member_id and l.program_id = q.source_program_id and l.revoked_at is null
        and 'redemptions' = any(l.consent_scopes)
  ),
  open as (
    select f.*, u.order_id, u.partner_id, u.principal, u.key,
      row_number() over (partition by f.item_id, f.member_id order by f.n) as member_rank,
      coalesce(p.bought, 0) as bought
    from facts f
    join input u on u.n = f.n
    left join catalog_member_purchases p on p.item_id = f.item_id and p.member_id = f.member_id
    where f.used_by_order_id is null and f.expires_at > u.now and f.item_status = 'active'
      and f.sale_starts_at <= u.now and (f.sale_ends_at is null or f.sale_ends_at > u.now)
      and f.publisher_active
      and (f.coupon_until is null or f.coupon_until > u.now)
      and f.account_ref is not null
  ),
  deferred as (
    select n from open
    where member_rank > 1 or (per_member_limit is not null and bought >= per_member_limit)
  ),
  eligible as (
    select o.*, row_number() over (partition by o.item_id order by o.n) as item_rank
    from open o
    where o.n not in (select n from deferred)
  ),
  wanted as (select item_id, count(*) as want from eligible group by item_id),
  locked as (
    select i.id, i.stock_left from catalog_items i
    where i.id in (select item_id from wanted) and i.status = 'active'
    order by i.id
    for update
  ),
  taken as (
    update catalog_items i set stock_left = i.stock_left - least(l.stock_left, w.want)
    from locked l
    join wanted w on w.item_id = l.id
    where i.id = l.id and l.stock_left > 0
    returning i.id as item_id, least(l.stock_left, w.want) as took
  ),
  won as (
    select e.* from eligible e join taken t on t.item_id = e.item_id where e.item_rank <= t.took
  ),
  counted as (
    insert into catalog_member_purchases (item_id, member_id, bought)
    select w.item_id, w.member_id, 1 from won w
    on conflict (item_id, member_id) do update set bought = catalog_member_purchases.bought + 1
      where coalesce(catalog_member_purchases.bought < (
        select w.per_member_limit from won w
        where w.item_id = catalog_member_purchases.item_id and w.member_id = catalog_member_purchases.member_id),
        true)
    returning item_id, member_id
  ),
  pool_codes as (
    select c.item_id, c.code from catalog_codes c
    where c.item_id in (select item_id from won where code_source = 'pool') and c.status = 'available'
    limit (select count(*) from won where code_source = 'pool')
    for update skip locked
  ),
  ranked_codes as (
    select item_id, code, row_number() over (partition by item_id order by code) as code_rank
    from pool_codes
  ),
  held as (
    update catalog_codes c set status = 'held', order_id = w.order_id
    from won w
    join ranked_codes r on r.item_id = w.item_id and r.code_rank = w.item_rank
    where w.code_source = 'pool' and c.item_id = r.item_id and c.code = r.code
    returning c.order_id, c.code
  ),
  spent as (
    update quotes q set used_by_order_id = w.order_id
    from won w
    where q.id = w.quote_id and q.used_by_order_id is null
    returning q.id
  ),
  bound as (
    update idempotency_records r set effect_id = coalesce(r.effect_id, w.order_id)
    from won w
    where r.principal = w.principal and r.key = w.key
    returning r.principal, r.key, r.effect_id
  ),
  ordered as (
    insert into catalog_orders (id, item_id, item_version, quote_id, requested_by, member_id, program_id,
      account_ref, debit_points, status, held_code)
    select w.order_id, w.item_id, w.item_version, w.quote_id, w.partner_id, w.member_id,
      w.source_program_id, w.account_ref, w.debit_points, 'reserved', h.code
    from won w
    left join held h on h.order_id = w.order_id
    returning id, quote_id, held_code, created_at, updated_at
  ),
  stepped as (
    insert into catalog_order_steps (order_id, step, outcome, detail)
    select id, 'reserved', 'done', 'quote ' || quote_id from ordered
    returning id, order_id, detail, at
  ),
  released as (
    delete from idempotency_records r
    using input u
    where r.principal = u.principal and r.key = u.key and r.status = 'in_progress' and r.effect_id is null
      and u.n not in (select n from won) and u.n not in (select n from deferred)
      and u.n not in (select n from facts where used_by_order_id is not null)
    returning u.n
  ),
  -- a statement that placed no order wrote nothing but releases: it need not wait for the disk
  lazily as (select set_config('synchronous_commit', 'off', true) where not exists (select from won))
  select f.quote_id is not null as found, f.quote_id, f.member_id, f.source_program_id, f.debit_points,
    f.used_by_order_id, f.expires_at, f.item_id, f.item_version, f.item_status, f.sale_starts_at,
    f.sale_ends_at, f.account_ref, f.coupon_until, f.publisher_active,
    r.n is not null as released,
    w.n is not null as taken,
    d.n is not null as deferred,
    o.held_code, o.created_at, o.updated_at, s.id as step_id, s.detail as step_detail, s.at as step_at,
    case
      when w.n is null then null
      when w.per_member_limit is not null
        and not exists (select from counted c where c.item_id = w.item_id and c.member_id = w.member_id)
        then catalog_order_refused('purchase_limit_reached', w.per_member_limit::text)
      when w.code_source = 'pool' and o.held_code is null then catalog_order_refused('pool_dry')
      when not exists (select from spent sp where sp.id = w.quote_id) then catalog_order_refused('quote_spent')
      when (select b.effect_id from bound b where b.principal = w.principal and b.key = w.key)
        is distinct from w.order_id
        then catalog_order_refused('key_bound', w.key)
    end as refused,
    (select count(*) from lazily) as lazily
  from input u
  left join facts f on f.n = u.n
  left join won w on w.n = u.n
  left join ordered o on o.id = w.order_id
  left join stepped s on s.order_id = w.order_id
  left join released r on r.n = u.n
  left join deferred d on d.n = u.n
  order by u.n`;

/**
 * Decides a batch in one statement: per order its decision, or `alone` for an order left to the
 * one-order statement (its member has another order in the batch, or its limit as the snapshot
 * sees it). Throws, having written nothing, when any order of the batch is refused after its stock.
 */
export async function decideOrders(
  db: Kysely<Database>,
  batch: DecisionInput[],
): Promise<Array<OrderDecision | typeof alone>> {
  const column = <Value>(pick: (input: DecisionInput) => Value) => batch.map(pick);
  const { rows } = await db.executeQuery<BatchRow>(
    CompiledQuery.raw(decisions, [
      column((input) => input.quoteId),
      column((input) => input.partnerId),
      column((input) => input.now),
      column((input) => input.orderId),
      column((input) => input.idempotency.principal),
      column((input) => input.idempotency.key),
    ]),
  );
  if (rows.length !== batch.length) throw new Error('the order decisions returned a row short');
  return rows.map((row, index) => (row.deferred ? alone : toDecision(row, batch[index] as DecisionInput)));
}

const decisionBatcher = batcherPerPool((db) =>
  createStatementBatcher<DecisionInput, OrderDecision>({
    kind: 'order_decision',
    // One statement at a time: two batches for the same item would only wait for each other's lock
    // on its row, and the orders that arrive meanwhile make the next batch larger instead.
    slots: 1,
    maxSize: 100,
    apart: (input) => [
      `quote ${input.quoteId}`,
      `key ${input.idempotency.principal}\n${input.idempotency.key}`,
    ],
    run: (batch) => decideOrders(db, batch),
    runAlone: (input) => decideOrder(db, input),
    // Refused after the stock was taken, a concurrent order of the same quote, or a deadlock with a
    // concurrent batch: nothing was written, and each order is decided again by itself.
    aloneAfter: (error) => rolledBack(error) !== undefined || (error as { code?: string }).code === '40P01',
  }),
);

/** Decides the order, with the orders that arrive beside it (alone inside a transaction). */
export function decideOrderWithOthers(db: Kysely<Database>, input: DecisionInput): Promise<OrderDecision> {
  if (db.isTransaction) return decideOrder(db, input);
  return decisionBatcher(db).submit(input);
}
