// A small alliance with something on every console page, for the screenshots: transfers between
// the three brands in several directions, items in the catalog, a closed settlement cycle, and a
// reconciliation run of the coffee chain's programme with a break or two its system misreported.
// Built like the console's tests (test/support): a gateway on a database of its own, real partner
// servers, a worker on the test Temporal server.
import { expect } from 'vitest';
import { type Alliance, type AlliancePartner, createAlliance } from '../../test/support/alliance.ts';

export interface ScreenshotAlliance {
  alliance: Alliance;
  transferIds: string[];
  cycleId: string;
  memberId: string;
}

async function created<T>(response: Response): Promise<T> {
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as T;
}

export async function seedScreenshotAlliance(): Promise<ScreenshotAlliance> {
  const alliance = await createAlliance({
    ownDatabase: 'screenshots',
    reconciliation: { toleranceMs: 300_000 },
  });
  const { gateway, coffee, airline, bookstore } = alliance;
  const reconciledFrom = new Date();

  const members = [];
  for (let index = 0; index < 4; index += 1) {
    members.push(await alliance.member({ coffee: 50_000n, airline: 20_000n, bookstore: 10_000n }));
  }
  const moves: [AlliancePartner, AlliancePartner, bigint][] = [
    [coffee, airline, 4_000n],
    [coffee, airline, 2_500n],
    [coffee, bookstore, 3_000n],
    [airline, bookstore, 1_500n],
    [bookstore, coffee, 2_000n],
    [coffee, airline, 1_200n],
    [airline, bookstore, 900n],
  ];
  const transferIds: string[] = [];
  for (const [index, [from, to, points]] of moves.entries()) {
    const member = members[index % members.length];
    if (!member) continue;
    const response = await alliance.transfer(from, to, member, points);
    const transfer = (await response.json()) as { id: string; status: string };
    expect(transfer.status).toBe('completed');
    transferIds.push(transfer.id);
  }

  for (const [partner, title, pricePoints] of [
    [coffee, 'Flat white', '70'],
    [coffee, 'Breakfast set', '240'],
    [bookstore, 'Paperback of the month', '500'],
  ] as const) {
    await created(
      await gateway.call(partner.signer, 'POST', '/v1/catalog/items', {
        body: {
          programId: partner.programId,
          kind: 'coupon',
          title,
          description: `${title}, for points of any brand`,
          pricePoints,
          stock: '100',
          coupon: { validity: { days: 30 } },
        },
      }),
    );
  }

  const closed = await created<{ cycle: { id: string } }>(
    await gateway.call(gateway.finance, 'POST', '/v1/finance/settlement/cycles', { body: {} }),
  );

  // The coffee chain's system misreports two of the steps the gateway took there.
  const [misstated, dropped] = transferIds;
  coffee.server?.reportQuirks.set(`${misstated}:post`, 'change_amount');
  coffee.server?.reportQuirks.set(`${dropped}:reserve`, 'drop');
  await created(
    await gateway.call(gateway.finance, 'POST', '/v1/finance/reconciliation/runs', {
      body: {
        programId: coffee.programId,
        from: reconciledFrom.toISOString(),
        to: new Date(Date.now() + 1_000).toISOString(),
      },
    }),
  );

  return { alliance, transferIds, cycleId: closed.cycle.id, memberId: members[0]?.memberId ?? '' };
}
