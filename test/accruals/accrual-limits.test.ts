// What limits an accrual: the merchant's exposure cap (what it will owe counts from the moment the
// purchase is reported, and a refused accrual credits nothing), and what does not: an order accrued
// before is answered with its accrual even once the earning programme's owner is suspended. A
// database of its own: the cap and the suspension would reach other files' tests.
import { describe, expect, it } from 'vitest';
import { accrualKit } from '../support/accruals.ts';
import { createAlliance } from '../support/alliance.ts';

const alliance = await createAlliance({ ownDatabase: 'accrual_limits' });
const { gateway, coffee, airline } = alliance;
const { accrue, accrued } = await accrualKit(alliance);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function operator(path: string, body?: object): Promise<void> {
  const response = await gateway.call(gateway.operator, 'POST', `/v1/operator/partners/${path}`, {
    ...(body ? { body } : {}),
  });
  expect(response.status).toBe(200);
}

describe('an accrual', () => {
  it('is refused past the merchant’s exposure cap, crediting nothing', async () => {
    // Coffee pays the airline 3 fen a mile and may owe at most 1 CNY.
    await operator(`${coffee.partner.id}/exposure-caps`, { currency: 'CNY', capMinor: '100' });
    try {
      const member = await alliance.member({});
      // 500 CNY earn 50 miles, owing 150 fen: past the cap.
      const refused = await accrue(member, airline, 50_000n);
      expect(refused.status).toBe(422);
      expect(((await refused.json()) as { code: string }).code).toBe('exposure_cap_exceeded');
      expect(await alliance.balance(airline, member)).toBe(0n);
      // 200 CNY earn 20 miles, owing 60 fen: it fits; then a second one would not (120 past 100).
      const first = await accrued(await accrue(member, airline, 20_000n));
      expect(first.amountOwedMinor).toBe('60');
      const second = await accrue(member, airline, 20_000n);
      expect(second.status).toBe(422);
      expect(await alliance.balance(airline, member)).toBe(20n);
      const rows = await gateway.db
        .selectFrom('accruals')
        .select('id')
        .where('member_id', '=', member.memberId)
        .execute();
      expect(rows).toEqual([{ id: first.id }]);
    } finally {
      await operator(`${coffee.partner.id}/exposure-caps`, { currency: 'CNY', capMinor: '1000000000' });
    }
  });

  it('reported again under another key is answered with the first, even once the programme is suspended', async () => {
    const member = await alliance.member({});
    const orderReference = `order-suspended-${member.memberId}`;
    const first = await accrued(await accrue(member, airline, 20_000n, { orderReference }));
    await operator(`${airline.partner.id}/suspend`);
    // Programme look-ups are cached for a few seconds: past that, the suspension is seen everywhere.
    await sleep(5_100);
    try {
      const again = await accrue(member, airline, 20_000n, { orderReference });
      expect(again.status).toBe(201);
      expect(((await again.json()) as { id: string }).id).toBe(first.id);
      // A new purchase at the suspended programme is refused.
      const refused = await accrue(member, airline, 20_000n);
      expect(((await refused.json()) as { code: string }).code).toBe('counterparty_suspended');
    } finally {
      await operator(`${airline.partner.id}/resume`);
    }
  });
});
