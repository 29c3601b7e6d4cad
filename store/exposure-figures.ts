// Every partner's open exposure at once, for the metrics scrape: the same sums as
// lockAndReadExposure (store/exposure.ts), grouped by partner and currency, without the lock.
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.ts';

export interface OpenExposureRow {
  partner_id: string;
  currency: string;
  exposure_minor: bigint;
}

/** Read-only and bounded by `timeoutMs` in the database itself, so a slow scrape cannot pile up. */
export async function readOpenExposureByPartner(
  db: Kysely<Database>,
  timeoutMs: number,
): Promise<OpenExposureRow[]> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('statement_timeout', ${String(timeoutMs)}, true)`.execute(trx);
    const { rows } = await sql<OpenExposureRow>`
      with owed as (
        select o.debtor_partner_id as partner_id, o.currency, o.amount_minor as amount_minor
        from settlement_obligations o join settlement_cycles c on c.id = o.cycle_id
        where c.status <> 'settled' and o.debtor_partner_id is distinct from o.creditor_partner_id
        union all
        select o.creditor_partner_id, o.currency, -o.amount_minor
        from settlement_obligations o join settlement_cycles c on c.id = o.cycle_id
        where c.status <> 'settled' and o.debtor_partner_id is distinct from o.creditor_partner_id
        union all
        select p.partner_id, q.currency, q.settlement_amount_minor + q.fee_amount_minor
        from transfers t join quotes q on q.id = t.quote_id join programs p on p.id = t.source_program_id
        where t.status in ('held', 'pending', 'reserved', 'credited')
        union all
        select pp.owner_id, pp.currency, pp.authorized_amount_minor
        from points_payments pp
        where pp.status in ('authorizing', 'authorized', 'capturing') and pp.merchant_id <> pp.owner_id
        union all
        select p.partner_id, q.currency, q.settlement_amount_minor
        from catalog_orders o join quotes q on q.id = o.quote_id join programs p on p.id = o.program_id
          join programs publisher on publisher.id = q.target_program_id
        where o.status = 'reserved' and publisher.partner_id <> p.partner_id
        union all
        select a.merchant_partner_id, a.currency, a.amount_owed_minor
        from accruals a
        where a.status = 'pending'
      )
      select partner_id, currency, sum(amount_minor)::int8 as exposure_minor
      from owed group by partner_id, currency`.execute(trx);
    return rows;
  });
}
