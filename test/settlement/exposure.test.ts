// Exposure caps. Goal: a transfer that would take its source partner past the net debit the
// operator allowed is refused at creation, before any point moves; two transfers racing for the last
// headroom cannot both pass; settling what is owed frees the headroom again. Method: real transfers
// through the gateway; the cap set through the operator API; the cycle closed and paid by finance.
import { describe, expect, it } from 'vitest';
import { createAlliance } from '../support/alliance.ts';
import { payInstruction } from '../support/settlement.ts';

const alliance = await createAlliance({ ownDatabase: 'exposure' });
const { gateway, coffee, airline } = alliance;

async function capCoffee(capMinor: string): Promise<void> {
  const response = await gateway.call(
    gateway.operator,
    'POST',
    `/v1/operator/partners/${coffee.partner.id}/exposure-caps`,
    {
      body: { currency: 'CNY', capMinor },
    },
  );
  expect(response.status).toBe(200);
}

describe('an exposure cap', () => {
  it('refuses a transfer that would pass it, and moves nothing', async () => {
    await capCoffee('1000');
    const member = await alliance.member({ coffee: 5_000n });
    // 1,000 beans settle at 700 CNY minor units: the first fits under 1,000, a second would not.
    const first = await alliance.transfer(coffee, airline, member, 1_000n);
    expect(((await first.json()) as { status: string }).status).toBe('completed');
    const second = await alliance.transfer(coffee, airline, member, 1_000n);
    expect(second.status).toBe(422);
    expect(((await second.json()) as { code: string }).code).toBe('exposure_cap_exceeded');
    expect(await alliance.balance(coffee, member)).toBe(4_000n);
    expect(await alliance.balance(airline, member)).toBe(700n);
  });

  it('lets only one of two racing transfers take the last headroom', async () => {
    await capCoffee('1000');
    const members = await Promise.all([
      alliance.member({ coffee: 1_000n }),
      alliance.member({ coffee: 1_000n }),
    ]);
    const statuses = await Promise.all(
      members.map(async (member) => (await alliance.transfer(coffee, airline, member, 500n)).status),
    );
    // Whatever headroom the first test left (300), each needs 350: neither, or exactly one, passes.
    expect(statuses.filter((status) => status === 201).length).toBeLessThanOrEqual(1);
    expect(statuses.filter((status) => status === 422).length).toBeGreaterThanOrEqual(1);
  });

  it('frees the headroom once what is owed is settled', async () => {
    await capCoffee('1000');
    const member = await alliance.member({ coffee: 2_000n });
    const refused = await alliance.transfer(coffee, airline, member, 1_000n);
    expect(refused.status).toBe(422);

    await gateway.call(gateway.finance, 'POST', '/v1/finance/settlement/cycles', { body: {} });
    // Pay every open instruction of every closed cycle (other test files close cycles too, and
    // coffee's obligations may sit in any of them): then nothing coffee owes is unsettled.
    const closedCycles = await gateway.db
      .selectFrom('settlement_cycles')
      .select('id')
      .where('status', '=', 'closed')
      .execute();
    for (const { id: cycleId } of closedCycles) {
      const open = await gateway.db
        .selectFrom('settlement_instructions')
        .select('id')
        .where('cycle_id', '=', cycleId)
        .where('status', '=', 'open')
        .execute();
      for (const instruction of open) {
        expect((await payInstruction(gateway, instruction.id)).status).toBe(200);
      }
    }
    const allowed = await alliance.transfer(coffee, airline, member, 1_000n);
    expect(((await allowed.json()) as { status: string }).status).toBe('completed');
  });
});
