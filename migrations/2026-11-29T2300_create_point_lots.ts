// Points kept in lots: each credit to a member is a lot with its expiry (null: never), and a debit
// burns the soonest-expiring lots first. A reservation records which lots it holds, so a void gives
// them back, a post keeps them burnt, and what a reservation was made of is known. Expired points
// leave through a movement of their own kind ('expire'), from the member to the programme's issuance.
// Points held before lots existed become one never-expiring lot per account, their reservations its holds.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ledger_lots')
    .addColumn('id', 'bigserial', (column) => column.primaryKey())
    .addColumn('account_id', 'bigint', (column) => column.notNull().references('ledger_accounts.id'))
    .addColumn('credit_transfer_id', 'bigint', (column) => column.references('ledger_transfers.id'))
    .addColumn('expires_at', 'timestamptz')
    .addColumn('points', 'bigint', (column) => column.notNull().check(sql`points > 0`))
    .addColumn('remaining_points', 'bigint', (column) => column.notNull())
    .addColumn('expired_points', 'bigint', (column) => column.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'ledger_lots_amounts',
      sql`remaining_points >= 0 and expired_points >= 0 and remaining_points + expired_points <= points`,
    )
    .execute();
  // The burn order of one account's lots with points left, read under the account's lock.
  await sql`create index ledger_lots_burn on ledger_lots (account_id, expires_at, id) where remaining_points > 0`.execute(
    db,
  );
  // Lots coming due, for expiry and reminders.
  await sql`create index ledger_lots_due on ledger_lots (expires_at) where remaining_points > 0 and expires_at is not null`.execute(
    db,
  );
  await sql`create index ledger_lots_credit on ledger_lots (credit_transfer_id)`.execute(db);

  await db.schema
    .createTable('ledger_lot_holds')
    .addColumn('reservation_id', 'bigint', (column) => column.notNull().references('ledger_transfers.id'))
    .addColumn('lot_id', 'bigint', (column) => column.notNull().references('ledger_lots.id'))
    .addColumn('points', 'bigint', (column) => column.notNull().check(sql`points > 0`))
    .addPrimaryKeyConstraint('ledger_lot_holds_pk', ['reservation_id', 'lot_id'])
    .execute();

  await sql`alter table ledger_transfers drop constraint ledger_transfers_operation_check`.execute(db);
  await sql`alter table ledger_transfers add constraint ledger_transfers_operation_check
    check (operation in ('credit', 'reserve', 'post', 'void', 'reverse_credit', 'abandon', 'expire'))`.execute(
    db,
  );

  await sql`
    insert into ledger_lots (account_id, expires_at, points, remaining_points)
    select id, null, credits_posted - debits_posted, credits_posted - debits_posted - debits_pending
    from ledger_accounts
    where debits_must_not_exceed_credits and credits_posted - debits_posted > 0`.execute(db);
  await sql`
    insert into ledger_lot_holds (reservation_id, lot_id, points)
    select reservation.id, lot.id, reservation.amount_points
    from ledger_transfers reservation
    join ledger_lots lot on lot.account_id = reservation.debit_account_id
    where reservation.operation = 'reserve' and reservation.status = 'pending' and reservation.amount_points > 0`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from ledger_entries where transfer_id in (select id from ledger_transfers where operation = 'expire')`.execute(
    db,
  );
  await sql`delete from ledger_transfers where operation = 'expire'`.execute(db);
  await sql`alter table ledger_transfers drop constraint ledger_transfers_operation_check`.execute(db);
  await sql`alter table ledger_transfers add constraint ledger_transfers_operation_check
    check (operation in ('credit', 'reserve', 'post', 'void', 'reverse_credit', 'abandon'))`.execute(db);
  await db.schema.dropTable('ledger_lot_holds').execute();
  await db.schema.dropTable('ledger_lots').execute();
}
