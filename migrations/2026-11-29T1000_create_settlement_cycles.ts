// Settlement cycles. Every obligation is written into the cycle that is open when its transaction
// commits (writers hold a shared lock that the close takes exclusively), so a cycle's obligations
// are fixed by commit order, not by a clock. Obligations take any kind (later issues add
// redemptions, accruals, points-as-cash) and name what caused them in source_id.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('settlement_cycles')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('status', 'text', (column) =>
      column.notNull().check(sql`status in ('open', 'closed', 'settled')`),
    )
    // The cut-off that closed it, in the alliance's time zone (e.g. 2026-11-30T00:00+08:00); null while open.
    .addColumn('period_label', 'text', (column) => column.unique())
    .addColumn('opened_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('closed_at', 'timestamptz')
    .addColumn('settled_at', 'timestamptz')
    .addColumn('obligation_count', 'bigint')
    .execute();
  await sql`create unique index settlement_cycles_one_open on settlement_cycles ((true)) where status = 'open'`.execute(
    db,
  );
  await sql`insert into settlement_cycles (id, status) values ('cyc_00000000000000000000000000', 'open')`.execute(
    db,
  );

  await sql`alter table settlement_obligations drop constraint settlement_obligations_kind_check`.execute(db);
  await sql`alter table settlement_obligations alter column transfer_id drop not null`.execute(db);
  await db.schema.alterTable('settlement_obligations').addColumn('source_id', 'text').execute();
  await db.schema
    .alterTable('settlement_obligations')
    .addColumn('cycle_id', 'text', (column) => column.references('settlement_cycles.id'))
    .execute();
  await sql`update settlement_obligations set source_id = transfer_id, cycle_id = 'cyc_00000000000000000000000000'`.execute(
    db,
  );
  await sql`alter table settlement_obligations alter column source_id set not null`.execute(db);
  await sql`alter table settlement_obligations alter column cycle_id set not null`.execute(db);
  await sql`alter table settlement_obligations add constraint settlement_obligations_source_once unique (source_id, kind)`.execute(
    db,
  );
  await db.schema
    .createIndex('settlement_obligations_cycle')
    .on('settlement_obligations')
    .columns(['cycle_id', 'currency'])
    .execute();

  // A party is a partner id, or `alliance` for what is owed to the alliance itself (its fees).
  await db.schema
    .createTable('settlement_gross')
    .addColumn('cycle_id', 'text', (column) => column.notNull().references('settlement_cycles.id'))
    .addColumn('currency', 'text', (column) => column.notNull())
    .addColumn('debtor_id', 'text', (column) => column.notNull())
    .addColumn('creditor_id', 'text', (column) => column.notNull())
    .addColumn('amount_minor', 'bigint', (column) => column.notNull())
    .addColumn('obligation_count', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('settlement_gross_pkey', ['cycle_id', 'currency', 'debtor_id', 'creditor_id'])
    .execute();
  await db.schema
    .createTable('settlement_positions')
    .addColumn('cycle_id', 'text', (column) => column.notNull().references('settlement_cycles.id'))
    .addColumn('currency', 'text', (column) => column.notNull())
    .addColumn('party_id', 'text', (column) => column.notNull())
    .addColumn('receivable_minor', 'bigint', (column) => column.notNull())
    .addColumn('payable_minor', 'bigint', (column) => column.notNull())
    .addColumn('net_minor', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('settlement_positions_pkey', ['cycle_id', 'currency', 'party_id'])
    .execute();
  await db.schema
    .createTable('settlement_instructions')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('cycle_id', 'text', (column) => column.notNull().references('settlement_cycles.id'))
    .addColumn('currency', 'text', (column) => column.notNull())
    .addColumn('payer_id', 'text', (column) => column.notNull())
    .addColumn('payee_id', 'text', (column) => column.notNull())
    .addColumn('amount_minor', 'bigint', (column) => column.notNull().check(sql`amount_minor > 0`))
    .addColumn('status', 'text', (column) => column.notNull().check(sql`status in ('open', 'paid')`))
    .addColumn('payment_reference', 'text')
    .addColumn('paid_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('settlement_instructions_cycle')
    .on('settlement_instructions')
    .columns(['cycle_id', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('settlement_instructions').execute();
  await db.schema.dropTable('settlement_positions').execute();
  await db.schema.dropTable('settlement_gross').execute();
  await sql`alter table settlement_obligations drop constraint settlement_obligations_source_once`.execute(
    db,
  );
  await db.schema.alterTable('settlement_obligations').dropColumn('cycle_id').execute();
  await db.schema.alterTable('settlement_obligations').dropColumn('source_id').execute();
  await sql`delete from settlement_obligations where transfer_id is null`.execute(db);
  await sql`alter table settlement_obligations alter column transfer_id set not null`.execute(db);
  await sql`alter table settlement_obligations add constraint settlement_obligations_kind_check check (kind in ('transfer', 'alliance_fee'))`.execute(
    db,
  );
  await db.schema.dropTable('settlement_cycles').execute();
}
