import { describe, expect, it } from 'vitest';
import { type FeedItem, planCatalogSync, type SyncedItem, sameJson } from './catalog-sync.ts';

const start = new Date('2026-01-01T00:00:00Z');

function feed(externalRef: string, pricePoints = 100n, saleStartsAt: Date | null = start): FeedItem {
  return {
    externalRef,
    kind: 'product',
    stock: 10n,
    terms: {
      title: externalRef,
      description: '',
      imageUrls: [],
      tags: [],
      pricePoints,
      saleStartsAt,
      saleEndsAt: null,
      perMemberLimit: null,
    },
    details: { product: { fulfilment: 'pickup' } },
  };
}

function synced(externalRef: string, overrides: Partial<SyncedItem> = {}): SyncedItem {
  const item = feed(externalRef);
  return {
    itemId: `itm_${externalRef}`,
    externalRef,
    kind: 'product',
    codeSource: null,
    status: 'active',
    stockTotal: 10n,
    terms: { ...item.terms, saleStartsAt: start },
    details: { fulfilment: 'pickup' },
    ...overrides,
  };
}

const storedDetails = (details: FeedItem['details']) => ('product' in details ? details.product : details);

describe('planCatalogSync', () => {
  it('adds the new, revises the changed, withdraws the missing and leaves the rest', () => {
    const plan = planCatalogSync({
      feed: { items: [feed('a', 150n), feed('b', 100n, null), feed('d')], unreadable: [] },
      synced: [synced('a'), synced('b'), synced('c')],
      storedDetails,
    });
    expect(plan.add.map((item) => item.externalRef)).toEqual(['d']);
    expect(plan.revise).toEqual([expect.objectContaining({ itemId: 'itm_a', changed: ['pricePoints'] })]);
    expect(plan.withdraw).toEqual([{ itemId: 'itm_c', externalRef: 'c' }]);
    expect(plan.unchanged).toEqual([{ itemId: 'itm_b', externalRef: 'b' }]);
  });

  it('keeps an item the feed sent malformed, refuses a duplicate and a change of kind', () => {
    const coupon: FeedItem = {
      ...feed('k'),
      kind: 'coupon',
      details: {
        coupon: {
          faceValue: null,
          validity: null,
          terms: '',
          refundOnExpiry: false,
          codeSource: 'generated',
        },
      },
    };
    const plan = planCatalogSync({
      feed: { items: [feed('a'), feed('a'), coupon], unreadable: [{ externalRef: 'm', problem: 'bad' }] },
      synced: [synced('a'), synced('k'), synced('m'), synced('w', { status: 'withdrawn' })],
      storedDetails,
    });
    expect(plan.withdraw).toEqual([]);
    expect(plan.refused.map((refusal) => refusal.externalRef)).toEqual(['m', 'a', 'k']);
  });

  it('brings a withdrawn item back as a revision', () => {
    const plan = planCatalogSync({
      feed: { items: [feed('w')], unreadable: [] },
      synced: [synced('w', { status: 'withdrawn' })],
      storedDetails,
    });
    expect(plan.revise).toEqual([expect.objectContaining({ changed: ['status'] })]);
  });

  it('compares JSON whatever the order of keys', () => {
    expect(sameJson({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
  });
});
