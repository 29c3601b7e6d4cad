// Exposure caps. Goal: a transfer that would take its source partner past the net debit the
// operator allowed is refused at creation, before any point moves; two transfers racing for the last
// headroom cannot both pass; settling what is owed frees the headroom again. Method: real transfers
// through the gateway; the cap set through the operator API; the cycle closed and paid by finance.
import { describe, expect, it } from 'vitest';
import { lockAndReadExposure } from '../../store/exposure.ts';
import { createAlliance } from '../support/alliance.ts';
import { publishCinemaTicket } from '../support/catalog-items.ts';
import { payInstruction } from '../support/settlement.ts';

const alliance = await createAlliance({ ownDatabase: 'exposure' });
const { gateway, coffee, airline, bookstore } = alliance;

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

describe('an exposure cap and points payments', () => {
  it('refuses an authorization that would take the programme owner past it; a void frees its share', async () => {
    // The airline pays the coffee shop a euro cent for every mile taken at its checkout, up to 1,000.
    const capped = await gateway.call(
      gateway.operator,
      'POST',
      `/v1/operator/partners/${airline.partner.id}/exposure-caps`,
      {
        body: { currency: 'EUR', capMinor: '1000' },
      },
    );
    expect(capped.status).toBe(200);
    const offered = await gateway.call(airline.signer, 'POST', '/v1/cash-agreements', {
      body: {
        programId: airline.programId,
        merchantId: coffee.partner.id,
        amountMinor: '1',
        perPoints: '1',
        currency: 'EUR',
      },
    });
    const { id: agreementId } = (await offered.json()) as { id: string };
    expect(
      (await gateway.call(coffee.signer, 'POST', `/v1/cash-agreements/${agreementId}/accept`)).status,
    ).toBe(200);
    const member = await alliance.member({ airline: 5_000n }, { scopes: ['transfers', 'redemptions'] });
    const pay = async (path: string, body: object = {}) => {
      const response = await gateway.call(coffee.signer, 'POST', path, { body });
      return {
        status: response.status,
        body: (await response.json()) as { id: string; code?: string; status: string },
      };
    };
    const authorize = (points: string) =>
      pay('/v1/points-payments', {
        memberId: member.memberId,
        programId: airline.programId,
        points,
        orderReference: `order-${points}`,
      });

    const first = await authorize('600');
    expect(first.status).toBe(201);
    expect(first.body.status).toBe('authorized');
    const refused = await authorize('500');
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('exposure_cap_exceeded');
    expect(await alliance.balance(airline, member)).toBe(4_400n);

    // Two at once for the last 400: one passes.
    const racing = await Promise.all([authorize('300'), authorize('300')]);
    expect(racing.map((reply) => reply.status).sort()).toEqual([201, 422]);

    // The capture owes what the authorization reserved, or less: 500 owed, 300 authorized, 200 left.
    expect((await pay(`/v1/points-payments/${first.body.id}/captures`, { points: '500' })).status).toBe(201);
    const last = await authorize('200');
    expect(last.status).toBe(201);
    expect((await authorize('1')).status).toBe(422);
    expect((await pay(`/v1/points-payments/${last.body.id}/void`)).status).toBe(201);
    expect((await authorize('200')).status).toBe(201);
    expect(await alliance.balance(airline, member)).toBe(5_000n - 500n - 300n - 200n);
  });

  it('keeps from a transfer the headroom an authorization holds, and gives it back with the void', async () => {
    // The bookstore, with nothing owed in this file yet, pays the coffee shop a fen per book spent.
    const capped = await gateway.call(
      gateway.operator,
      'POST',
      `/v1/operator/partners/${bookstore.partner.id}/exposure-caps`,
      { body: { currency: 'CNY', capMinor: '1000' } },
    );
    expect(capped.status).toBe(200);
    const offered = await gateway.call(bookstore.signer, 'POST', '/v1/cash-agreements', {
      body: {
        programId: bookstore.programId,
        merchantId: coffee.partner.id,
        amountMinor: '1',
        perPoints: '1',
        currency: 'CNY',
      },
    });
    const { id: agreementId } = (await offered.json()) as { id: string };
    expect(
      (await gateway.call(coffee.signer, 'POST', `/v1/cash-agreements/${agreementId}/accept`)).status,
    ).toBe(200);
    const member = await alliance.member({ bookstore: 5_000n }, { scopes: ['transfers', 'redemptions'] });
    const authorized = await gateway.call(coffee.signer, 'POST', '/v1/points-payments', {
      body: {
        memberId: member.memberId,
        programId: bookstore.programId,
        points: '800',
        orderReference: 'order-books-800',
      },
    });
    expect(authorized.status).toBe(201);
    const { id: paymentId } = (await authorized.json()) as { id: string };

    // 300 books settle at 300 fen: past the 200 the authorization leaves.
    const refused = await alliance.transfer(bookstore, coffee, member, 300n);
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { code: string }).code).toBe('exposure_cap_exceeded');
    expect(
      (await gateway.call(coffee.signer, 'POST', `/v1/points-payments/${paymentId}/void`, { body: {} }))
        .status,
    ).toBe(201);
    const allowed = await alliance.transfer(bookstore, coffee, member, 300n);
    expect(((await allowed.json()) as { status: string }).status).toBe('completed');
  });

  it('refuses a catalog order that would take its buyer past the cap, an order still running counted', async () => {
    const exposure = await gateway.db
      .transaction()
      .execute((trx) => lockAndReadExposure(trx, { partnerId: bookstore.partner.id, currency: 'CNY' }));
    // Room for one 70-point ticket (70 fen to the coffee shop), not two.
    const capped = await gateway.call(
      gateway.operator,
      'POST',
      `/v1/operator/partners/${bookstore.partner.id}/exposure-caps`,
      { body: { currency: 'CNY', capMinor: String(exposure + 100n) } },
    );
    expect(capped.status).toBe(200);
    const item = await publishCinemaTicket(gateway, coffee);
    const member = await alliance.member({ bookstore: 1_000n });
    const buy = async () => {
      const quote = await gateway.call(bookstore.signer, 'POST', '/v1/catalog/quotes', {
        body: { memberId: member.memberId, programId: bookstore.programId, itemId: item.id },
      });
      expect(quote.status).toBe(201);
      return gateway.call(bookstore.signer, 'POST', '/v1/catalog/orders', {
        body: { quoteId: ((await quote.json()) as { id: string }).id },
      });
    };
    expect((await buy()).status).toBe(202);
    const refused = await buy();
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { code: string }).code).toBe('exposure_cap_exceeded');
    const stock = await gateway.db
      .selectFrom('catalog_items')
      .select('stock_left')
      .where('id', '=', item.id)
      .executeTakeFirstOrThrow();
    expect(stock.stock_left).toBe(9n);
  });
});
