// What the console lists across partners that the API lists only for one: signing keys with their
// rotation state, webhook deliveries, and the catalog with withdrawn items. `partnerId` narrows each
// to one partner's share; null is the whole alliance.
import type { Kysely } from 'kysely';
import type { Database, ItemStatus, WebhookDelivery } from './database.ts';

export interface KeyRow {
  partner_id: string;
  kid: string;
  alg: string;
  status: 'active' | 'retired';
  created_at: Date;
  retired_at: Date | null;
}

/** Keys by partner, newest first: their public halves stay out too (nothing here needs them). */
export function listPartnerKeys(db: Kysely<Database>, partnerId: string | null): Promise<KeyRow[]> {
  return db
    .selectFrom('partner_keys')
    .select(['partner_id', 'kid', 'alg', 'status', 'created_at', 'retired_at'])
    .$if(partnerId !== null, (query) => query.where('partner_id', '=', partnerId ?? ''))
    .orderBy('partner_id')
    .orderBy('created_at', 'desc')
    .execute();
}

/** Every partner's deliveries, newest first: the operator's view (a partner's goes through the API's use case). */
export function listAllDeliveries(
  db: Kysely<Database>,
  input: { cursor: string | null; limit: number },
): Promise<WebhookDelivery[]> {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .$if(input.cursor !== null, (query) => query.where('id', '<', input.cursor ?? ''))
    .orderBy('id', 'desc')
    .limit(input.limit)
    .execute();
}

export interface CatalogRow {
  id: string;
  publisher_id: string;
  program_id: string;
  kind: string;
  status: ItemStatus;
  title: string;
  price_points: bigint;
  stock_left: bigint;
  stock_total: bigint;
}

/**
 * Items with their current version. The catalog is shared, so a partner sees every item on sale;
 * withdrawn ones only when they are its own.
 */
export function listCatalogItems(
  db: Kysely<Database>,
  input: { partnerId: string | null; afterId: string | null; limit: number },
): Promise<CatalogRow[]> {
  const { partnerId } = input;
  return db
    .selectFrom('catalog_items as i')
    .innerJoin('catalog_item_versions as v', (join) =>
      join.onRef('v.item_id', '=', 'i.id').onRef('v.version', '=', 'i.current_version'),
    )
    .select([
      'i.id',
      'i.publisher_id',
      'i.program_id',
      'i.kind',
      'i.status',
      'v.title',
      'v.price_points',
      'i.stock_left',
      'i.stock_total',
    ])
    .$if(partnerId !== null, (query) =>
      query.where((eb) => eb.or([eb('i.status', '=', 'active'), eb('i.publisher_id', '=', partnerId ?? '')])),
    )
    .$if(input.afterId !== null, (query) => query.where('i.id', '>', input.afterId ?? ''))
    .orderBy('i.id')
    .limit(input.limit)
    .execute();
}

/** The partners a closed cycle has signed statements for. */
export async function statementPartners(db: Kysely<Database>, cycleId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('settlement_statements')
    .select('partner_id')
    .where('cycle_id', '=', cycleId)
    .orderBy('partner_id')
    .execute();
  return rows.map((row) => row.partner_id);
}
