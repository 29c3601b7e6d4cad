// The catalog tests' usual item: a cinema ticket coupon, published by a partner through the API.
import { expect } from 'vitest';
import type { AlliancePartner, Member } from './alliance.ts';
import type { TestGateway } from './gateway.ts';

/** Publishes a cinema ticket coupon (fields overridden by `overrides`); the item as answered. */
export async function publishCinemaTicket<Item = { id: string }>(
  gateway: TestGateway,
  publisher: AlliancePartner,
  overrides: Record<string, unknown> = {},
): Promise<Item> {
  const response = await gateway.call(publisher.signer, 'POST', '/v1/catalog/items', {
    body: {
      programId: publisher.programId,
      kind: 'coupon',
      title: 'Cinema ticket',
      description: 'One 2D ticket, any session',
      tags: ['movies'],
      pricePoints: '70',
      stock: '10',
      coupon: { validity: { days: 30 }, terms: 'Not valid on premieres' },
      ...overrides,
    },
  });
  expect(response.status).toBe(201);
  return (await response.json()) as Item;
}

/** A price quote for one item, asked by the buyer's programme for its member. */
export function priceCatalogQuote(
  gateway: TestGateway,
  buyer: AlliancePartner,
  member: Member,
  itemId: string,
) {
  return gateway.call(buyer.signer, 'POST', '/v1/catalog/quotes', {
    body: { memberId: member.memberId, programId: buyer.programId, itemId },
  });
}

/** An order of a price quote, placed by the buyer. */
export function placeCatalogOrder(gateway: TestGateway, buyer: AlliancePartner, quoteId: string) {
  return gateway.call(buyer.signer, 'POST', '/v1/catalog/orders', { body: { quoteId } });
}

/** The item's stock left, as kept. */
export async function catalogStockLeft(gateway: TestGateway, itemId: string): Promise<bigint> {
  const row = await gateway.db
    .selectFrom('catalog_items')
    .select('stock_left')
    .where('id', '=', itemId)
    .executeTakeFirstOrThrow();
  return row.stock_left;
}
