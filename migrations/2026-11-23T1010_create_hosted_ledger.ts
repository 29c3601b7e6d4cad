// The hosted ledger: double-entry accounts for programmes that keep their points with us. Entries
// are immutable and come in balanced pairs, so the sum of all entries is zero at every moment.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ledger_accounts')
    .addColumn('id', 'bigserial', (column) => column.primaryKey())
    .addColumn('program_id', 'text', (column) => column.notNull().references('programs.id'))
    .addColumn('kind', 'text', (column) =>
      column.notNull().check(sql`kind in ('member', 'issuance', 'alliance_clearing')`),
    )
    .addColumn('account_ref', 'text', (column) => column.notNull())
    .addColumn('debits_pending', 'bigint', (column) => column.notNull().defaultTo(0))
    .addColumn('debits_posted', 'bigint', (column) => column.notNull().defaultTo(0))
    .addColumn('credits_pending', 'bigint', (column) => column.notNull().defaultTo(0))
    .addColumn('credits_posted', 'bigint', (column) => column.notNull().defaultTo(0))
    .addColumn('debits_must_not_exceed_credits', 'boolean', (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('ledger_accounts_ref', ['program_id', 'account_ref'])
    .addCheckConstraint(
      'ledger_accounts_not_negative',
      sql`not debits_must_not_exceed_credits or debits_pending + debits_posted <= credits_posted`,
    )
    .addCheckConstraint(
      'ledger_accounts_amounts',
      sql`debits_pending >= 0 and debits_posted >= 0 and credits_pending >= 0 and credits_posted >= 0`,
    )
    .execute();

  await db.schema
    .createTable('ledger_transfers')
    .addColumn('id', 'bigserial', (column) => column.primaryKey())
    .addColumn('program_id', 'text', (column) => column.notNull().references('programs.id'))
    .addColumn('key', 'text', (column) => column.notNull())
    .addColumn('operation', 'text', (column) =>
      column
        .notNull()
        .check(sql`operation in ('credit', 'reserve', 'post', 'void', 'reverse_credit', 'abandon')`),
    )
    .addColumn('debit_account_id', 'bigint', (column) => column.references('ledger_accounts.id'))
    .addColumn('credit_account_id', 'bigint', (column) => column.references('ledger_accounts.id'))
    .addColumn('amount_points', 'bigint', (column) => column.notNull().check(sql`amount_points >= 0`))
    .addColumn('pending_transfer_id', 'bigint', (column) => column.references('ledger_transfers.id'))
    .addColumn('status', 'text', (column) =>
      column
        .notNull()
        .check(
          sql`status in ('posted', 'pending', 'post_done', 'voided', 'expired', 'reversed', 'abandoned')`,
        ),
    )
    .addColumn('expires_at', 'timestamptz')
    .addColumn('reason', 'text', (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('ledger_transfers_key', ['program_id', 'key'])
    .execute();
  await sql`create unique index ledger_transfers_one_resolution on ledger_transfers (pending_transfer_id) where operation in ('post', 'void')`.execute(
    db,
  );
  await sql`create index ledger_transfers_pending_expiry on ledger_transfers (expires_at) where status = 'pending'`.execute(
    db,
  );

  await db.schema
    .createTable('ledger_entries')
    .addColumn('id', 'bigserial', (column) => column.primaryKey())
    .addColumn('transfer_id', 'bigint', (column) => column.notNull().references('ledger_transfers.id'))
    .addColumn('account_id', 'bigint', (column) => column.notNull().references('ledger_accounts.id'))
    .addColumn('phase', 'text', (column) => column.notNull().check(sql`phase in ('pending', 'posted')`))
    .addColumn('amount_points', 'bigint', (column) => column.notNull().check(sql`amount_points <> 0`))
    .addColumn('reason', 'text', (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('ledger_entries_account').on('ledger_entries').column('account_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ledger_entries').execute();
  await db.schema.dropTable('ledger_transfers').execute();
  await db.schema.dropTable('ledger_accounts').execute();
}
