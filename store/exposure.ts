// Exposure: what a partner owes net, per currency, in obligations of cycles not yet settled plus the
// settlement of its transfers still running (a held one may yet run: it counts until its hold ends),
// of its catalog orders still running, the money of the points payments at its programmes still
// authorized (a capture's obligation replaces it) and what its accruals still crediting will owe,
// against the cap the operator set for it.
import { type Kysely, sql, type Transaction } from 'kysely';
import { LRUCache } from 'lru-cache';
import { requireWithinExposureCap } from '../domain/exposure.ts';
import type { Database } from './database.ts';

export async function listExposureCaps(db: Kysely<Database>, partnerId: string) {
  return db
    .selectFrom('exposure_caps')
    .select(['currency', 'cap_minor', 'updated_at'])
    .where('partner_id', '=', partnerId)
    .orderBy('currency')
    .execute();
}

export type ExposureCapRow = Awaited<ReturnType<typeof listExposureCaps>>[number];

/**
 * Partners' caps, kept a few seconds: every catalog order asks for its buyer's, and most partners
 * have none (their orders then take no exposure lock). A cap set is seen by orders within the TTL.
 */
export function createExposureCapCache(options: { ttlMs?: number; partnersMax?: number } = {}) {
  const caps = new LRUCache<string, ExposureCapRow[]>({
    max: options.partnersMax ?? 10_000,
    ttl: options.ttlMs ?? 5_000,
  });
  return {
    async of(db: Kysely<Database>, partnerId: string): Promise<ExposureCapRow[]> {
      const known = caps.get(partnerId);
      if (known) return known;
      const rows = await listExposureCaps(db, partnerId);
      caps.set(partnerId, rows);
      return rows;
    },
  };
}

export type ExposureCapCache = ReturnType<typeof createExposureCapCache>;

export async function setExposureCap(
  db: Kysely<Database>,
  input: { partnerId: string; currency: string; capMinor: bigint },
): Promise<void> {
  await db
    .insertInto('exposure_caps')
    .values({ partner_id: input.partnerId, currency: input.currency, cap_minor: input.capMinor })
    .onConflict((conflict) =>
      conflict
        .columns(['partner_id', 'currency'])
        .doUpdateSet({ cap_minor: input.capMinor, updated_at: sql`now()` }),
    )
    .execute();
}

/**
 * The partner's exposure in one currency, with the partner's exposure lock taken until the
 * transaction ends: two transfers out of its programmes, or a transfer and an authorization at
 * them, cannot both fit under the same headroom.
 */
export async function lockAndReadExposure(
  trx: Transaction<Database>,
  input: { partnerId: string; currency: string },
): Promise<bigint> {
  await sql`select pg_advisory_xact_lock(hashtext(${`exposure ${input.partnerId} ${input.currency}`}))`.execute(
    trx,
  );
  const { rows } = await sql<{
    owed: bigint;
    running: bigint;
    authorized: bigint;
    ordering: bigint;
    accruing: bigint;
  }>`
    select
      (select coalesce(sum(case when o.debtor_partner_id = ${input.partnerId} then o.amount_minor else -o.amount_minor end), 0)::int8
       from settlement_obligations o join settlement_cycles c on c.id = o.cycle_id
       where c.status <> 'settled' and o.currency = ${input.currency}
         and (o.debtor_partner_id = ${input.partnerId} or o.creditor_partner_id = ${input.partnerId})
         and o.debtor_partner_id is distinct from o.creditor_partner_id) as owed,
      (select coalesce(sum(q.settlement_amount_minor + q.fee_amount_minor), 0)::int8
       from transfers t join quotes q on q.id = t.quote_id join programs p on p.id = t.source_program_id
       where p.partner_id = ${input.partnerId} and q.currency = ${input.currency}
         and t.status in ('held', 'pending', 'reserved', 'credited')) as running,
      (select coalesce(sum(pp.authorized_amount_minor), 0)::int8
       from points_payments pp
       where pp.owner_id = ${input.partnerId} and pp.currency = ${input.currency}
         and pp.status in ('authorizing', 'authorized', 'capturing')
         and pp.merchant_id <> pp.owner_id) as authorized,
      (select coalesce(sum(q.settlement_amount_minor), 0)::int8
       from catalog_orders o join quotes q on q.id = o.quote_id join programs p on p.id = o.program_id
         join programs publisher on publisher.id = q.target_program_id
       where p.partner_id = ${input.partnerId} and q.currency = ${input.currency}
         and o.status = 'reserved' and publisher.partner_id <> p.partner_id) as ordering,
      (select coalesce(sum(a.amount_owed_minor), 0)::int8
       from accruals a
       where a.merchant_partner_id = ${input.partnerId} and a.currency = ${input.currency}
         and a.status = 'pending') as accruing`.execute(trx);
  const row = rows[0];
  return (
    (row?.owed ?? 0n) +
    (row?.running ?? 0n) +
    (row?.authorized ?? 0n) +
    (row?.ordering ?? 0n) +
    (row?.accruing ?? 0n)
  );
}

/**
 * Refuses `addedMinor` more owed by a partner past its cap in that currency, under the partner's
 * exposure lock (taken only when it has a cap): the check and the write that adds to the exposure
 * commit together, so two racing for the last headroom cannot both pass.
 */
export async function requireHeadroom(
  trx: Transaction<Database>,
  input: { partnerId: string; currency: string; addedMinor: bigint },
): Promise<void> {
  const cap = (await listExposureCaps(trx, input.partnerId)).find((row) => row.currency === input.currency);
  if (!cap) return;
  const pair = { partnerId: input.partnerId, currency: input.currency };
  const exposureMinor = await lockAndReadExposure(trx, pair);
  requireWithinExposureCap({ ...pair, exposureMinor, addedMinor: input.addedMinor, capMinor: cap.cap_minor });
}
