// An Idempotency-Key bound to the effect it caused, written in the effect's own transaction, so a
// handler that runs again after a crash finds the effect instead of making a second one. Transfers
// still pending are found by the sweeper that starts workflows nobody started.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('idempotency_records').addColumn('effect_id', 'text').execute();
  await sql`create index transfers_pending_updated_at on transfers (updated_at) where status = 'pending'`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('transfers_pending_updated_at').execute();
  await db.schema.alterTable('idempotency_records').dropColumn('effect_id').execute();
}
