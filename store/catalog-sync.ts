// What catalog sync reads: the programmes whose partner's own system may run a catalog, and a
// programme's synced items (those with an externalRef) at their current versions.
import type { Kysely } from 'kysely';
import type { SyncedItem } from '../domain/catalog-sync.ts';
import type { Database } from './database.ts';

/** Programmes kept in their partner's own system, of partners that are active and have its URL, by id. */
export async function listFeedPrograms(db: Kysely<Database>): Promise<string[]> {
  const rows = await db
    .selectFrom('programs')
    .innerJoin('partners', 'partners.id', 'programs.partner_id')
    .select('programs.id')
    .where('programs.ledger', '=', 'partner_system')
    .where('partners.status', '=', 'active')
    .where('partners.loyalty_api_url', 'is not', null)
    .orderBy('programs.id')
    .execute();
  return rows.map((row) => row.id);
}

/** The programme's items synced from its feed (withdrawn ones included), each at its current version. */
export async function listSyncedItems(db: Kysely<Database>, programId: string): Promise<SyncedItem[]> {
  const rows = await db
    .selectFrom('catalog_items as i')
    .innerJoin('catalog_item_versions as v', (join) =>
      join.onRef('v.item_id', '=', 'i.id').onRef('v.version', '=', 'i.current_version'),
    )
    .select([
      'i.id',
      'i.external_ref',
      'i.kind',
      'i.code_source',
      'i.status',
      'i.stock_total',
      'v.title',
      'v.description',
      'v.image_urls',
      'v.tags',
      'v.price_points',
      'v.sale_starts_at',
      'v.sale_ends_at',
      'v.per_member_limit',
      'v.details',
    ])
    .where('i.program_id', '=', programId)
    .where('i.external_ref', 'is not', null)
    // a feed lists coupons and products only: a draw is the API's, never the feed's to withdraw
    .where('i.kind', '!=', 'draw')
    .execute();
  return rows.map((row) => ({
    itemId: row.id,
    externalRef: row.external_ref ?? '',
    kind: row.kind,
    codeSource: row.code_source,
    status: row.status,
    stockTotal: row.stock_total,
    terms: {
      title: row.title,
      description: row.description,
      imageUrls: row.image_urls,
      tags: row.tags,
      pricePoints: row.price_points,
      saleStartsAt: row.sale_starts_at,
      saleEndsAt: row.sale_ends_at,
      perMemberLimit: row.per_member_limit,
    },
    details: row.details,
  }));
}
