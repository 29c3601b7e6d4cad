// The hosted ledger kept no record of a refusal, so a repeat of a refused key was decided afresh: a
// take-back refused because the member had nothing could, run again after they earned, take points
// the reversal had already recorded as none. A refusal is now kept under its key, as the partner
// contract asks of every partner system ("a 422 is final"): a row that moves nothing, with its code.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('ledger_transfers').addColumn('refusal_code', 'text').execute();
  await sql`alter table ledger_transfers drop constraint ledger_transfers_status_check`.execute(db);
  await sql`alter table ledger_transfers add constraint ledger_transfers_status_check
    check (status in ('posted', 'pending', 'post_done', 'voided', 'expired', 'reversed', 'abandoned', 'refused'))`.execute(
    db,
  );
  await sql`alter table ledger_transfers add constraint ledger_transfers_refusal_moves_nothing
    check ((status = 'refused') = (refusal_code is not null)
      and (status <> 'refused' or (operation = 'abandon' and amount_points = 0)))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from ledger_transfers where status = 'refused'`.execute(db);
  await sql`alter table ledger_transfers drop constraint ledger_transfers_refusal_moves_nothing`.execute(db);
  await sql`alter table ledger_transfers drop constraint ledger_transfers_status_check`.execute(db);
  await sql`alter table ledger_transfers add constraint ledger_transfers_status_check
    check (status in ('posted', 'pending', 'post_done', 'voided', 'expired', 'reversed', 'abandoned'))`.execute(
    db,
  );
  await db.schema.alterTable('ledger_transfers').dropColumn('refusal_code').execute();
}
