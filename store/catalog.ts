// Catalog items as stored: an item row (status, stock, current version) and its versions, which
// never change; a publisher's pool of codes. Browsing reads the current version of every item on
// sale at the programmes the member's programme can pay.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { ItemKind, ItemTerms } from '../domain/catalog.ts';
import type { CatalogItem, CatalogItemVersion, CodeSource, Database } from './database.ts';

export interface ItemWithVersion {
  item: CatalogItem;
  version: CatalogItemVersion;
}

function versionValues(itemId: string, version: number, terms: ItemTerms, details: unknown) {
  return {
    item_id: itemId,
    version,
    title: terms.title,
    description: terms.description,
    image_urls: terms.imageUrls,
    tags: terms.tags,
    price_points: terms.pricePoints,
    sale_starts_at: terms.saleStartsAt,
    sale_ends_at: terms.saleEndsAt,
    per_member_limit: terms.perMemberLimit,
    details: JSON.stringify(details),
  };
}

/** The item and its first version; undefined when the publisher has an item with its externalRef. */
export async function insertItem(
  trx: Transaction<Database>,
  input: {
    id: string;
    publisherId: string;
    programId: string;
    kind: ItemKind;
    externalRef: string | null;
    codeSource: CodeSource | null;
    stock: bigint;
    terms: ItemTerms;
    details: unknown;
  },
): Promise<ItemWithVersion | undefined> {
  const item = await trx
    .insertInto('catalog_items')
    .values({
      id: input.id,
      publisher_id: input.publisherId,
      program_id: input.programId,
      kind: input.kind,
      status: 'active',
      current_version: 1,
      external_ref: input.externalRef,
      code_source: input.codeSource,
      stock_total: input.stock,
      stock_left: input.stock,
    })
    .onConflict((conflict) =>
      conflict.columns(['publisher_id', 'external_ref']).where('external_ref', 'is not', null).doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
  if (!item) return undefined;
  const version = await trx
    .insertInto('catalog_item_versions')
    .values(versionValues(input.id, 1, input.terms, input.details))
    .returningAll()
    .executeTakeFirstOrThrow();
  return { item, version };
}

/** The item, locked for an edit, a withdrawal or a restock. */
export async function lockItem(trx: Transaction<Database>, itemId: string): Promise<CatalogItem | undefined> {
  return trx.selectFrom('catalog_items').selectAll().where('id', '=', itemId).forUpdate().executeTakeFirst();
}

/** Writes the item's next version and makes it current; a total stock change moves what is left alike. */
export async function insertNextItemVersion(
  trx: Transaction<Database>,
  input: { item: CatalogItem; terms: ItemTerms; details: unknown; stock: bigint | null; reactivate: boolean },
): Promise<ItemWithVersion> {
  const next = input.item.current_version + 1;
  const version = await trx
    .insertInto('catalog_item_versions')
    .values(versionValues(input.item.id, next, input.terms, input.details))
    .returningAll()
    .executeTakeFirstOrThrow();
  const added = input.stock === null ? 0n : input.stock - input.item.stock_total;
  const item = await trx
    .updateTable('catalog_items')
    .set({
      current_version: next,
      stock_total: sql`stock_total + ${added}`,
      stock_left: sql`stock_left + ${added}`,
      ...(input.reactivate ? { status: 'active' as const } : {}),
      updated_at: new Date(),
    })
    .where('id', '=', input.item.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { item, version };
}

export async function withdrawItem(trx: Transaction<Database>, itemId: string): Promise<CatalogItem> {
  return trx
    .updateTable('catalog_items')
    .set({ status: 'withdrawn', updated_at: new Date() })
    .where('id', '=', itemId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findItem(
  db: Kysely<Database>,
  itemId: string,
  version?: number,
): Promise<ItemWithVersion | undefined> {
  const item = await db.selectFrom('catalog_items').selectAll().where('id', '=', itemId).executeTakeFirst();
  if (!item) return undefined;
  const found = await db
    .selectFrom('catalog_item_versions')
    .selectAll()
    .where('item_id', '=', itemId)
    .where('version', '=', version ?? item.current_version)
    .executeTakeFirst();
  return found && { item, version: found };
}

export async function findItemByExternalRef(
  db: Kysely<Database>,
  publisherId: string,
  externalRef: string,
): Promise<CatalogItem | undefined> {
  return db
    .selectFrom('catalog_items')
    .selectAll()
    .where('publisher_id', '=', publisherId)
    .where('external_ref', '=', externalRef)
    .executeTakeFirst();
}

export interface BrowseFilter {
  programIds: string[];
  tag: string | null;
  publisherId: string | null;
  inStock: boolean;
  onSaleAt: Date | null;
  afterId: string | null;
  limit: number;
}

/** Active items of these programmes, with their current versions, by id after the cursor. */
export async function browseItems(db: Kysely<Database>, filter: BrowseFilter): Promise<ItemWithVersion[]> {
  if (filter.programIds.length === 0) return [];
  let query = db
    .selectFrom('catalog_items as i')
    .innerJoin('catalog_item_versions as v', (join) =>
      join.onRef('v.item_id', '=', 'i.id').onRef('v.version', '=', 'i.current_version'),
    )
    .selectAll('i')
    .select([
      'v.item_id as v_item_id',
      'v.version as v_version',
      'v.title',
      'v.description',
      'v.image_urls',
      'v.tags',
      'v.price_points',
      'v.sale_starts_at',
      'v.sale_ends_at',
      'v.per_member_limit',
      'v.details',
      'v.created_at as v_created_at',
    ])
    .where('i.status', '=', 'active')
    .where('i.program_id', 'in', filter.programIds)
    .orderBy('i.id')
    .limit(filter.limit);
  if (filter.tag) query = query.where(sql<boolean>`${filter.tag} = any(v.tags)`);
  if (filter.publisherId) query = query.where('i.publisher_id', '=', filter.publisherId);
  if (filter.inStock) query = query.where('i.stock_left', '>', 0n);
  if (filter.onSaleAt) {
    const at = filter.onSaleAt;
    query = query
      .where('v.sale_starts_at', '<=', at)
      .where((eb) => eb.or([eb('v.sale_ends_at', 'is', null), eb('v.sale_ends_at', '>', at)]));
  }
  if (filter.afterId) query = query.where('i.id', '>', filter.afterId);
  const rows = await query.execute();
  return rows.map((row) => {
    const {
      v_item_id,
      v_version,
      title,
      description,
      image_urls,
      tags,
      price_points,
      sale_starts_at,
      sale_ends_at,
      per_member_limit,
      details,
      v_created_at,
      ...item
    } = row;
    return {
      item,
      version: {
        item_id: v_item_id,
        version: v_version,
        title,
        description,
        image_urls,
        tags,
        price_points,
        sale_starts_at,
        sale_ends_at,
        per_member_limit,
        details,
        created_at: v_created_at,
      },
    };
  });
}

/**
 * Adds codes to an item's pool; a code the publisher has already, in this item's pool or another's or
 * on a coupon issued, or once more in this upload, is skipped. How many were added. "Already" as the
 * till reads a code (coupon_code_key: case, hyphens and spaces aside, I and L as 1, O as 0): two
 * spellings of one code issued to two members would be one coupon at the till, one member's redeem
 * spending the other's; and a code held in two pools would leave the second order paid for and its
 * coupon never issued (a coupon's code is unique per publisher). Under the publisher's lock, taken
 * before the statement (read committed: the statement sees every upload that held it before), so
 * that two uploads at once cannot both add one code.
 */
export async function addPoolCodes(
  trx: Transaction<Database>,
  item: { id: string; publisher_id: string },
  codes: string[],
): Promise<number> {
  if (codes.length === 0) return 0;
  await sql`select pg_advisory_xact_lock(hashtext(${`catalog_codes:${item.publisher_id}`}))`.execute(trx);
  const result = await sql<{ code: string }>`
    insert into catalog_codes (item_id, code, status)
    select ${item.id}, offered.code, 'available'
    from (
      select distinct on (coupon_code_key(given.code)) given.code, coupon_code_key(given.code) as key
      from unnest(${codes}::text[]) with ordinality as given (code, at)
      order by coupon_code_key(given.code), given.at
    ) as offered
    where not exists (
        select from catalog_codes held join catalog_items other on other.id = held.item_id
        where other.publisher_id = ${item.publisher_id} and coupon_code_key(held.code) = offered.key)
      and not exists (
        select from coupons issued
        where issued.publisher_id = ${item.publisher_id} and coupon_code_key(issued.code) = offered.key)
    on conflict (item_id, code) do nothing
    returning code`.execute(trx);
  return result.rows.length;
}

export async function availablePoolCodes(db: Kysely<Database>, itemId: string): Promise<bigint> {
  const row = await db
    .selectFrom('catalog_codes')
    .select(sql<bigint>`count(*)::int8`.as('count'))
    .where('item_id', '=', itemId)
    .where('status', '=', 'available')
    .executeTakeFirstOrThrow();
  return row.count;
}
