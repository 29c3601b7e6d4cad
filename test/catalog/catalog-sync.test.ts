// Catalog sync over a real alliance: a reference partner runs its own catalog (its feed set through
// its /_control/catalog switch), the worker's Schedule is triggered on the real Temporal server, and
// the shared catalog follows the feed: items added with their externalRefs, a changed one as a new
// version, a dropped one withdrawn, an unchanged one untouched. A feed that fails, or an item sent
// malformed, takes nothing off sale. A database of this file's own: every partner system in it is read.
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { CatalogSyncSummary } from '../../workflows/catalog-sync.workflow.ts';
import { catalogSyncScheduleId } from '../../workflows/schedules.ts';
import { type AlliancePartner, createAlliance } from '../support/alliance.ts';

const alliance = await createAlliance({ ownDatabase: 'catalog_sync', catalogSync: true });
const { gateway, coffee, airline, bookstore } = alliance;

interface Item {
  id: string;
  status: string;
  version: number;
  externalRef: string | null;
  title: string;
  pricePoints: string;
  stock: { total: string; left: string };
  saleStartsAt: string;
  details: Record<string, unknown>;
}

function feedItem(externalRef: string, overrides: Record<string, unknown> = {}) {
  return {
    externalRef,
    kind: 'coupon',
    title: `Coffee voucher ${externalRef}`,
    description: 'Any drink, any size',
    imageUrls: [`https://coffee.example/${externalRef}.png`],
    tags: ['coffee'],
    pricePoints: '120',
    stock: '50',
    saleStartsAt: '2026-01-01T00:00:00.000Z',
    saleEndsAt: null,
    perMemberLimit: 2,
    coupon: { validity: { days: 30 }, terms: 'One per visit', refundOnExpiry: false },
    ...overrides,
  };
}

async function setFeed(partner: AlliancePartner, items: unknown[]): Promise<void> {
  const response = await fetch(`${partner.server?.url}/_control/catalog`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ programId: partner.programId, items }),
  });
  expect(response.status).toBe(200);
}

/** Triggers the Schedule and waits for the run it starts. */
async function syncNow(): Promise<CatalogSyncSummary> {
  const schedule = gateway.temporal.schedule.getHandle(catalogSyncScheduleId(gateway.taskQueue));
  const before = (await schedule.describe()).info.numActionsTaken;
  await schedule.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { info } = await schedule.describe();
    const started = info.numActionsTaken > before ? info.recentActions.at(-1) : undefined;
    if (started) {
      const { workflowId, firstExecutionRunId } = started.action.workflow;
      return gateway.temporal.workflow.getHandle(workflowId, firstExecutionRunId).result();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the catalog sync Schedule started no run within 30 s');
}

async function itemByRef(externalRef: string): Promise<Item> {
  const row = await gateway.db
    .selectFrom('catalog_items')
    .select('id')
    .where('publisher_id', '=', coffee.partner.id)
    .where('external_ref', '=', externalRef)
    .executeTakeFirstOrThrow();
  const response = await gateway.call(coffee.signer, 'GET', `/v1/catalog/items/${row.id}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Item;
}

async function versions(itemId: string): Promise<number> {
  const rows = await gateway.db
    .selectFrom('catalog_item_versions')
    .select('version')
    .where('item_id', '=', itemId)
    .execute();
  return rows.length;
}

const counts = (summary: CatalogSyncSummary) => ({
  added: summary.added,
  revised: summary.revised,
  withdrawn: summary.withdrawn,
  unchanged: summary.unchanged,
  refused: summary.refused,
});

describe('catalog sync', () => {
  it('a sync run that adds, changes and withdraws items', async () => {
    const product = feedItem('mug', {
      kind: 'product',
      title: 'Enamel mug',
      coupon: undefined,
      product: { fulfilment: 'pickup' },
    });
    // The latte's start is left to the gateway: the next read must not see that as a change.
    const latte = feedItem('latte', { saleStartsAt: null, perMemberLimit: null });
    await setFeed(coffee, [feedItem('espresso'), product, latte]);

    const first = await syncNow();
    // Coffee and the airline keep their points in systems of their own; the bookstore is hosted.
    expect(first).toMatchObject({ programs: 2, synced: 1, noFeed: 1, skipped: [] });
    expect(counts(first)).toEqual({ added: 3, revised: 0, withdrawn: 0, unchanged: 0, refused: 0 });
    const espresso = await itemByRef('espresso');
    expect(espresso).toMatchObject({
      status: 'active',
      version: 1,
      externalRef: 'espresso',
      title: 'Coffee voucher espresso',
      pricePoints: '120',
      stock: { total: '50', left: '50' },
      saleStartsAt: '2026-01-01T00:00:00.000Z',
    });
    expect(await itemByRef('mug')).toMatchObject({ version: 1, details: { fulfilment: 'pickup' } });
    const latteItem = await itemByRef('latte');
    expect(latteItem).toMatchObject({ version: 1, status: 'active' });

    // A bookstore member sees the three, priced in bookstore points (10 books for 10 coffee).
    const member = await alliance.member({ bookstore: 1_000n });
    const page = (await (
      await gateway.call(
        bookstore.signer,
        'GET',
        `/v1/catalog?memberId=${member.memberId}&programId=${bookstore.programId}&publisherId=${coffee.partner.id}&limit=100`,
      )
    ).json()) as Item[];
    expect(page.map((item) => item.externalRef).sort()).toEqual(['espresso', 'latte', 'mug']);

    // The same feed again changes nothing.
    expect(counts(await syncNow())).toEqual({ added: 0, revised: 0, withdrawn: 0, unchanged: 3, refused: 0 });

    // The espresso's price changes, the mug is dropped, a cappuccino arrives; the latte stays.
    await setFeed(coffee, [feedItem('espresso', { pricePoints: '150' }), latte, feedItem('cappuccino')]);
    const second = await syncNow();
    expect(counts(second)).toEqual({ added: 1, revised: 1, withdrawn: 1, unchanged: 1, refused: 0 });
    const revised = await itemByRef('espresso');
    expect(revised).toMatchObject({ id: espresso.id, version: 2, pricePoints: '150', status: 'active' });
    expect(await versions(espresso.id)).toBe(2);
    expect(await itemByRef('mug')).toMatchObject({ status: 'withdrawn', version: 1 });
    expect(await itemByRef('cappuccino')).toMatchObject({ status: 'active', version: 1 });
    const untouched = await itemByRef('latte');
    expect(untouched).toMatchObject({ id: latteItem.id, version: 1, saleStartsAt: latteItem.saleStartsAt });
    expect(await versions(latteItem.id)).toBe(1);
  });

  it('takes nothing off sale when the feed fails or sends an item malformed, and brings a returning item back', async () => {
    await setFeed(coffee, [feedItem('flat-white'), feedItem('mocha')]);
    expect(counts(await syncNow())).toMatchObject({ added: 2 });

    alliance.fault(coffee, { operation: 'catalog', mode: 'fail_before' });
    const failed = await syncNow();
    expect(failed.skipped).toEqual([{ programId: coffee.programId, reason: expect.stringContaining('503') }]);
    expect(await itemByRef('flat-white')).toMatchObject({ status: 'active' });

    // The mocha arrives with a price of zero: refused and left as it was, not withdrawn.
    await setFeed(coffee, [feedItem('flat-white'), feedItem('mocha', { pricePoints: '0' })]);
    const malformed = await syncNow();
    expect(malformed.refused).toBeGreaterThan(0);
    expect(await itemByRef('mocha')).toMatchObject({ status: 'active', version: 1, pricePoints: '120' });

    // The mug, withdrawn by the run before, is listed again: it comes back as its next version.
    await setFeed(coffee, [
      feedItem('flat-white'),
      feedItem('mocha'),
      feedItem('mug', {
        kind: 'product',
        title: 'Enamel mug',
        coupon: undefined,
        product: { fulfilment: 'pickup' },
      }),
    ]);
    const back = await syncNow();
    expect(back).toMatchObject({ revised: 1, refused: 0 });
    expect(await itemByRef('mug')).toMatchObject({ status: 'active', version: 2 });
    // The airline runs no catalog: none of its programme's items were touched, and it was not an error.
    expect(back.noFeed).toBe(1);
    expect(airline.server?.catalogFeed.get(airline.programId)).toBeUndefined();
  });

  it('refuses an item whose stock is past what can be kept, and applies the rest of the feed', async () => {
    await setFeed(coffee, [feedItem('cortado'), feedItem('macchiato')]);
    expect(counts(await syncNow())).toMatchObject({ added: 2, refused: 0 });
    // The macchiato leaves the feed; a new item arrives with a stock no ledger column holds.
    await setFeed(coffee, [feedItem('cortado'), feedItem('ristretto', { stock: '9999999999999999999' })]);
    const run = await syncNow();
    expect(run.skipped).toEqual([]);
    expect(run.refused).toBe(1);
    expect(await itemByRef('macchiato')).toMatchObject({ status: 'withdrawn' });
    expect(await itemByRef('cortado')).toMatchObject({ status: 'active' });
  });

  it('refuses through the API a second item with an externalRef the publisher already uses, naming it', async () => {
    const publish = () =>
      gateway.call(coffee.signer, 'POST', '/v1/catalog/items', {
        body: {
          programId: coffee.programId,
          kind: 'coupon',
          externalRef: 'api-espresso',
          title: 'Espresso',
          pricePoints: '100',
          stock: '10',
          coupon: { validity: { days: 30 } },
        },
      });
    expect((await publish()).status).toBe(201);
    const again = await publish();
    expect(again.status).toBe(409);
    const problem = (await again.json()) as { code: string; errors: { field: string }[] };
    expect(problem.code).toBe('external_ref_taken');
    expect(problem.errors.map((error) => error.field)).toEqual(['externalRef']);
  });

  it('leaves alone a draw the partner published through the API, though it has an externalRef', async () => {
    const published = await gateway.call(coffee.signer, 'POST', '/v1/catalog/items', {
      body: {
        programId: coffee.programId,
        kind: 'draw',
        externalRef: 'summer-draw',
        title: 'Win a year of coffee',
        pricePoints: '10',
        stock: '1000',
        draw: {
          winners: 1,
          prize: { description: 'A year of coffee' },
          closesAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
      },
    });
    expect(published.status).toBe(201);
    await setFeed(coffee, [feedItem('flat-white')]);
    await syncNow();
    expect(await itemByRef('summer-draw')).toMatchObject({ status: 'active' });
  });
});
