// What a transfer's reservation was made of, as the source reported it (points and their expiry,
// soonest first): the credit at the target carries it, so points about to expire cannot come back
// as fresh points elsewhere. Kept beside the transfer, not in its row: it is known only once the
// reserve is answered.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('transfer_expiry_profiles')
    .addColumn('transfer_id', 'text', (column) => column.primaryKey().references('transfers.id'))
    .addColumn('profile', 'jsonb', (column) => column.notNull())
    .addColumn('reported_at', 'timestamptz', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('transfer_expiry_profiles').execute();
}
