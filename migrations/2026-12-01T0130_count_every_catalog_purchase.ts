// Every catalog purchase is counted from now on, the item's version limited or not (a version that
// adds a limit must count what the member bought before it): the live orders counted so far, once.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    insert into catalog_member_purchases (item_id, member_id, bought)
    select item_id, member_id, count(*) from catalog_orders
    where status in ('reserved', 'completed', 'needs_attention')
    group by item_id, member_id
    on conflict (item_id, member_id) do update
      set bought = greatest(catalog_member_purchases.bought, excluded.bought)`.execute(db);
}

export async function down(): Promise<void> {
  // The counts stay: they are what the members bought.
}
