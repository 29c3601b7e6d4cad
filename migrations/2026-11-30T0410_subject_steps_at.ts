// Reconciliation reads the steps accruals, catalog orders and points payments made in a period
// (store/reconciliation-subject-operations.ts), as it reads the transfers' through transfer_steps_at;
// without these it would read each of those tables whole for every programme's daily run.
import type { Kysely } from 'kysely';

const tables = ['accrual_steps', 'catalog_order_steps', 'points_payment_steps'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  for (const table of tables) await db.schema.createIndex(`${table}_at`).on(table).column('at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of tables) await db.schema.dropIndex(`${table}_at`).execute();
}
