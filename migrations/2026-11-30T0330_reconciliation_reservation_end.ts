// Two things the reconciliation's match used to work out for every row, kept where they are written
// instead (issue #11's benchmark: a million operations within 1.5× a plain join of the two lists).
//
// transfers.reservation_end: `posted` or `voided` once the transfer's reservation at the source was
// posted or voided (a post wins over a void), written by the same statement that records that step
// (store/transfers.ts recordTransferStep). A reservation's status was a window over the period's steps
// plus a lookup in transfer_steps for each reservation whose post or void lay outside them (1.6 s of an
// 11 s match, in the leader alone). Filled in here from the steps already recorded.
//
// transfer_steps_asked_at: the steps that asked a partner what became of a step and heard it
// succeeded, by time (a partial index: they are rare). The gateway's operations of a period are its
// done steps, each key once by the steps' own unique constraint, plus those asked steps whose done step
// is not in the period: found here, they need no sort of a million operations to drop duplicates.
//
// reconciliation_partner_pages.repeats: a page holds each key the partner listed the first time it
// listed it (`repeats` false), or the further listings of keys it had listed already (`repeats` true),
// found while staging, when a page is in memory anyway. The match joins the first listings as they
// are and groups only the repeats to count them, instead of grouping a million keys to find the few
// listed twice (2.5 s of the match). Pages staged by runs in flight are split here the same way.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('transfers')
    .addColumn('reservation_end', 'text', (column) =>
      column.check(sql`reservation_end in ('posted', 'voided')`),
    )
    .execute();
  await sql`update transfers t
    set reservation_end = case when ended.posted then 'posted' else 'voided' end
    from (
      select transfer_id, bool_or(step = 'post') as posted from transfer_steps
      where step in ('post', 'void') and outcome = 'done' group by transfer_id
    ) ended
    where ended.transfer_id = t.id`.execute(db);
  await sql`create index transfer_steps_asked_at on transfer_steps (at)
    where outcome = 'succeeded' and step like '%\\_outcome\\_asked'`.execute(db);

  await db.schema
    .alterTable('reconciliation_partner_pages')
    .addColumn('repeats', 'boolean', (column) => column.notNull().defaultTo(false))
    .execute();
  await sql`with staged as (
      delete from reconciliation_partner_pages returning *
    ),
    listed as (
      select staged.run_id, staged.id as page_id, item.*,
        row_number() over (partition by staged.run_id, item.key order by staged.id, item.ordinal) > 1 as repeats
      from staged
        cross join lateral unnest(staged.keys, staged.operations, staged.account_refs, staged.points,
          staged.statuses, staged.ats) with ordinality as item(key, operation, account_ref, points, status, at, ordinal)
    )
    insert into reconciliation_partner_pages (run_id, repeats, keys, operations, account_refs, points, statuses, ats)
    select run_id, repeats, array_agg(key order by ordinal), array_agg(operation order by ordinal),
      array_agg(account_ref order by ordinal), array_agg(points order by ordinal),
      array_agg(status order by ordinal), array_agg(at order by ordinal)
    from listed
    group by run_id, page_id, repeats
    order by page_id, repeats`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // A repeats page is a page like any other to a match that groups every key.
  await db.schema.alterTable('reconciliation_partner_pages').dropColumn('repeats').execute();
  await db.schema.dropIndex('transfer_steps_asked_at').execute();
  await db.schema.alterTable('transfers').dropColumn('reservation_end').execute();
}
