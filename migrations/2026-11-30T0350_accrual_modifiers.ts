// An accrual shows what changed its points, as a quote does: the member's tier bonus and every
// programme campaign that applied, with the cap when it held the stack back. Accruals made before
// campaigns applied to them had no modifier but a tier bonus, which their tier column already says.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table accruals add column modifiers jsonb not null default '[]'::jsonb`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table accruals drop column modifiers`.execute(db);
}
