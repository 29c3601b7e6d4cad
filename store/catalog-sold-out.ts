// An order's Idempotency-Key claim, which answers a sold-out order itself (store/idempotency.ts
// `insertWith`): most of a flash sale's answers are "sold out", and this way each costs a share of
// one statement and writes no claim. The statement records the jti, and refuses the request (yields
// its item) only when the order decision (store/catalog-order-decision.ts) would pass every check
// that comes before the stock (the partner's quote, unspent, unexpired, the item active and on sale,
// the member still linked) and then find no stock: the answer is the one the decision gives, sold
// out, and every other case is claimed and left to it. Sound without a lock: stock only comes back
// when an order fails or its publisher restocks, and an order that reads the stock a moment too early
// would only have found it taken. A key with a record is answered as always, never refused; a claim
// of the same key committed by a concurrent request after this statement's snapshot is not seen, and
// then both requests answer sold out, which the claimed one would also have found.
//
// The claims that arrive while others run go together in one statement (store/statement-batcher.ts):
// one commit, without waiting for the disk (the route's claims are asynchronous, see
// gateway/routes/catalog.ts), for all of them. A batch holds each jti and key once: a second request
// with the same one waits for the next statement, which then finds the first one's.
import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from './database.ts';
import type { ClaimInput, ClaimInsert } from './idempotency.ts';
import { batcherPerPool, createStatementBatcher } from './statement-batcher.ts';

export interface OrderClaim {
  claim: ClaimInput;
  lockedUntil: Date;
  quoteId: string;
  partnerId: string;
  now: Date;
}

interface ClaimRow {
  jti_new: boolean;
  claimed: boolean;
  refusal: Record<string, unknown> | null;
}

/** One row per claim, in the order given (by `n`), however many arrived together. */
const claims = `
  with
  input as (
    select * from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[],
      $7::timestamptz[], $8::text[], $9::text[], $10::timestamptz[])
      with ordinality as u(principal, key, request_hash, locked_until, issuer, jti, jti_expires_at,
        quote_id, partner_id, now, n)
  ),
  jti as (
    insert into request_nonces (issuer, jti, expires_at)
    select issuer, jti, jti_expires_at from input
    on conflict (issuer, jti) do nothing
    returning issuer, jti
  ),
  refused as (
    select u.n, jsonb_build_object('item_id', i.id) as refusal
    from input u
    join quotes q on q.id = u.quote_id and q.requested_by = u.partner_id
    join catalog_items i on i.id = q.item_id
    join catalog_item_versions v on v.item_id = q.item_id and v.version = q.item_version
    where q.used_by_order_id is null and q.expires_at > u.now and i.status = 'active' and i.stock_left <= 0
      and v.sale_starts_at <= u.now and (v.sale_ends_at is null or v.sale_ends_at > u.now)
      and exists (
        select from member_links l
        where l.member_id = q.member_id and l.program_id = q.source_program_id and l.revoked_at is null
          and 'redemptions' = any(l.consent_scopes))
      -- a key claimed or answered before is answered as always, not refused
      and not exists (select from idempotency_records r where r.principal = u.principal and r.key = u.key)
  ),
  claim as (
    insert into idempotency_records (principal, key, request_hash, status, locked_until)
    select u.principal, u.key, u.request_hash, 'in_progress', u.locked_until
    from input u
    where exists (select from jti j where j.issuer = u.issuer and j.jti = u.jti)
      and not exists (select from refused r where r.n = u.n)
    on conflict (principal, key) do nothing
    returning principal, key
  )
  select exists (select from jti j where j.issuer = u.issuer and j.jti = u.jti) as jti_new,
    exists (select from claim c where c.principal = u.principal and c.key = u.key) as claimed,
    r.refusal, set_config('synchronous_commit', 'off', true) as synchronous_commit
  from input u
  left join refused r on r.n = u.n
  order by u.n`;

async function claimTogether(db: Kysely<Database>, batch: OrderClaim[]): Promise<ClaimInsert[]> {
  const column = <Value>(pick: (claim: OrderClaim) => Value) => batch.map(pick);
  const jti = (claim: OrderClaim) => {
    if (!claim.claim.jti) throw new Error('an order’s claim needs the request’s jti');
    return claim.claim.jti;
  };
  const { rows } = await db.executeQuery<ClaimRow>(
    CompiledQuery.raw(claims, [
      column((c) => c.claim.principal),
      column((c) => c.claim.key),
      column((c) => c.claim.requestHash),
      column((c) => c.lockedUntil),
      column((c) => jti(c).issuer),
      column((c) => jti(c).jti),
      column((c) => jti(c).expiresAt),
      column((c) => c.quoteId),
      column((c) => c.partnerId),
      column((c) => c.now),
    ]),
  );
  if (rows.length !== batch.length) throw new Error('the order claims returned a row short');
  return rows.map((row): ClaimInsert => {
    if (!row.jti_new) return 'replayed';
    if (row.refusal) return { refusal: row.refusal };
    return row.claimed;
  });
}

const claimBatcher = batcherPerPool((db) =>
  createStatementBatcher<OrderClaim, ClaimInsert>({
    kind: 'order_claim',
    slots: 4,
    maxSize: 100,
    apart: ({ claim }) => [
      `key ${claim.principal}\n${claim.key}`,
      `jti ${claim.jti?.issuer}\n${claim.jti?.jti}`,
    ],
    run: (batch) => claimTogether(db, batch),
  }),
);

/** Claims an order's key, or refuses it as sold out; in one statement with the claims beside it. */
export function claimOrderKey(db: Kysely<Database>, claim: OrderClaim): Promise<ClaimInsert> {
  if (!claim.claim.asyncCommit) throw new Error('an order’s claim commits without waiting for the disk');
  if (db.isTransaction) {
    return claimTogether(db, [claim]).then(([inserted]) => {
      if (inserted === undefined) throw new Error('the order claim returned no row');
      return inserted;
    });
  }
  return claimBatcher(db).submit(claim);
}
