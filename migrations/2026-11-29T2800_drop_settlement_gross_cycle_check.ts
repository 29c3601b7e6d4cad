// A cycle's gross sums are derived rows, written once by its close in the transaction that holds the
// cycle's row locked (store/settlement.ts lockCycleToNet), and never by anything else; the foreign key
// re-checked the cycle for each of the thousands of rows a close writes, on the close's critical path.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table settlement_gross drop constraint settlement_gross_cycle_id_fkey`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table settlement_gross add constraint settlement_gross_cycle_id_fkey foreign key (cycle_id) references settlement_cycles (id)`.execute(
    db,
  );
}
