// An agreement may grant points carried by a transfer a minimum remaining life: without it a credit
// keeps the expiry of the lots that paid for it, which can leave a member points that die within
// days of arriving. Null keeps that rule (the credit expires no later than what paid for it).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table rate_agreement_versions
      add column min_remaining_life_days integer
        check (min_remaining_life_days between 1 and 3650)
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table rate_agreement_versions drop column min_remaining_life_days`.execute(db);
}
