// Finance resolves a flag with a reason, kept with the flag: who resolved it and why.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('finance_flags').addColumn('resolution_reason', 'text').execute();
  await db.schema.alterTable('finance_flags').addColumn('resolved_by', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('finance_flags').dropColumn('resolved_by').execute();
  await db.schema.alterTable('finance_flags').dropColumn('resolution_reason').execute();
}
