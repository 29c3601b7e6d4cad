// The exposure cap sums, under the owner's exposure lock, the money of its points payments still
// running (store/exposure.ts). Without an index that sum read every payment the alliance ever made,
// on every transfer, authorization and capped order of that owner; the running ones are few.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('points_payments_open_by_owner')
    .on('points_payments')
    .columns(['owner_id', 'currency'])
    .where(sql<boolean>`status in ('authorizing', 'authorized', 'capturing')`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('points_payments_open_by_owner').execute();
}
