// Theft holds (积分盗刷): a transfer whose member's recent activity scores at or above its source
// programme's threshold is created held, moving nothing, until the programme's partner releases it
// (it becomes pending and starts) or cancels it, or it expires (both fail it).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table transfers drop constraint transfers_status_check`.execute(db);
  await sql`alter table transfers add constraint transfers_status_check
    check (status in ('held', 'pending', 'reserved', 'credited', 'completed', 'failed', 'needs_attention'))`.execute(
    db,
  );

  await db.schema
    .createTable('theft_hold_policies')
    .addColumn('program_id', 'text', (column) => column.primaryKey().references('programs.id'))
    .addColumn('threshold', 'integer', (column) => column.notNull().check(sql`threshold > 0`))
    .addColumn('hold_expiry_seconds', 'integer', (column) =>
      column.notNull().check(sql`hold_expiry_seconds > 0`),
    )
    // Which signals count, with their weights and windows (domain/theft-signals.ts).
    .addColumn('signals', 'jsonb', (column) => column.notNull())
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('transfer_holds')
    .addColumn('transfer_id', 'text', (column) => column.primaryKey().references('transfers.id'))
    // The source programme: its partner decides.
    .addColumn('program_id', 'text', (column) => column.notNull().references('programs.id'))
    .addColumn('score', 'integer', (column) => column.notNull())
    .addColumn('threshold', 'integer', (column) => column.notNull())
    .addColumn('signals', 'jsonb', (column) => column.notNull())
    .addColumn('status', 'text', (column) =>
      column.notNull().check(sql`status in ('held', 'released', 'cancelled', 'expired')`),
    )
    .addColumn('expires_at', 'timestamptz', (column) => column.notNull())
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decided_by', 'text')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index transfer_holds_open on transfer_holds (expires_at) where status = 'held'`.execute(
    db,
  );
  await db.schema
    .createIndex('transfer_holds_program')
    .on('transfer_holds')
    .columns(['program_id', 'transfer_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('transfer_holds').execute();
  await db.schema.dropTable('theft_hold_policies').execute();
  await sql`alter table transfers drop constraint transfers_status_check`.execute(db);
  await sql`alter table transfers add constraint transfers_status_check
    check (status in ('pending', 'reserved', 'credited', 'completed', 'failed', 'needs_attention'))`.execute(
    db,
  );
}
