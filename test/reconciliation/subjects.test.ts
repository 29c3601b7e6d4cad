// Reconciliation of what the gateway did at a partner system for the subjects beside transfers: an
// accrual and its partial refund, points payments (a partial capture with the rest released and a
// refund; an authorization voided) and a catalog order, each matched by key, points and status with
// the reference partner's own list. Real partner servers, real Temporal, real PostgreSQL.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AlliancePartner, createAlliance } from '../support/alliance.ts';

const alliance = await createAlliance({
  ownDatabase: 'reconciliation_subjects',
  reconciliation: { toleranceMs: 300_000 },
});
const { gateway, coffee, airline, bookstore } = alliance;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function call(as: AlliancePartner, path: string, body?: unknown, method = 'POST') {
  const response = await gateway.call(as.signer, method, path, body === undefined ? {} : { body });
  return {
    status: response.status,
    json: (await response.json()) as Record<string, unknown> & { id: string; status: string },
  };
}

/** Reads a resource until `done` says it has ended. */
async function until(as: AlliancePartner, path: string, done: (body: Record<string, unknown>) => boolean) {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const { json } = await call(as, path, undefined, 'GET');
    if (done(json)) return json;
    await sleep(100);
  }
  throw new Error(`${path} did not end in 30 s`);
}

describe('reconciling accruals, points payments and catalog orders', () => {
  it('finds every operation they made at the airline, with its points and status now', async () => {
    // Coffee earns the airline's miles for its customers, and takes miles as cash (2 cents a mile).
    const earn = await call(airline, '/v1/earn-agreements', {
      merchantPartnerId: coffee.partner.id,
      programId: airline.programId,
      purchaseCurrency: 'CNY',
      effectiveFrom: new Date(Date.now() - 60_000).toISOString(),
      rate: { points: '1', perAmountMinor: '100' },
      price: { amountMinor: '3', perPoints: '1', currency: 'CNY' },
    });
    expect(earn.status).toBe(201);
    const { agreementId, version } = earn.json as unknown as { agreementId: string; version: number };
    expect((await call(coffee, `/v1/earn-agreements/${agreementId}/versions/${version}/accept`)).status).toBe(
      200,
    );
    const cash = await call(airline, '/v1/cash-agreements', {
      programId: airline.programId,
      merchantId: coffee.partner.id,
      amountMinor: '2',
      perPoints: '1',
      currency: 'USD',
    });
    expect((await call(coffee, `/v1/cash-agreements/${cash.json.id}/accept`)).status).toBe(200);
    // The bookstore's pass, which the airline's members may pay for in miles (an agreement in force).
    const item = await call(bookstore, '/v1/catalog/items', {
      programId: bookstore.programId,
      kind: 'coupon',
      title: 'Lounge pass',
      description: 'One visit',
      tags: ['travel'],
      pricePoints: '70',
      stock: '10',
      coupon: { validity: { days: 30 }, terms: 'One person' },
    });
    expect(item.status).toBe(201);
    const member = await alliance.member({ airline: 1_000n }, { scopes: ['transfers', 'redemptions'] });

    const from = new Date();
    // An accrual of 50 miles, then a refund of a fifth of the purchase: 10 miles taken back.
    const accrual = await call(coffee, '/v1/accruals', {
      memberId: member.memberId,
      programId: airline.programId,
      purchase: { amountMinor: '5000', currency: 'CNY' },
      orderReference: `order-${randomUUID()}`,
    });
    expect(accrual.json.status).toBe('completed');
    const refund = await call(coffee, `/v1/accruals/${accrual.json.id}/reversals`, {
      reason: 'one item returned',
      refundAmountMinor: '1000',
    });
    expect(refund.json).toMatchObject({ status: 'completed', takenPoints: '10' });
    // A payment of 100 miles, 60 captured (the rest released), 20 of them refunded.
    const authorize = (points: string) =>
      call(coffee, '/v1/points-payments', {
        memberId: member.memberId,
        programId: airline.programId,
        orderReference: `order-${randomUUID()}`,
        points,
      });
    const paid = await authorize('100');
    expect(paid.json.status).toBe('authorized');
    const ended = (body: Record<string, unknown>) =>
      (body.operations as { status: string }[]).every((operation) => operation.status !== 'pending');
    await call(coffee, `/v1/points-payments/${paid.json.id}/captures`, { points: '60' });
    await until(coffee, `/v1/points-payments/${paid.json.id}`, ended);
    await call(coffee, `/v1/points-payments/${paid.json.id}/refunds`, { points: '20' });
    expect(await until(coffee, `/v1/points-payments/${paid.json.id}`, ended)).toMatchObject({
      captured: { points: '60' },
      refunded: { points: '20' },
    });
    // A payment voided before capture.
    const voided = await authorize('30');
    await call(coffee, `/v1/points-payments/${voided.json.id}/void`);
    expect(await until(coffee, `/v1/points-payments/${voided.json.id}`, ended)).toMatchObject({
      status: 'voided',
    });
    // A lounge pass bought with 70 of the member's miles.
    const quote = await call(airline, '/v1/catalog/quotes', {
      memberId: member.memberId,
      programId: airline.programId,
      itemId: item.json.id,
    });
    expect(quote.status).toBe(201);
    const order = await call(airline, '/v1/catalog/orders', { quoteId: quote.json.id });
    expect(
      await until(airline, `/v1/catalog/orders/${order.json.id}`, (body) => body.status !== 'reserved'),
    ).toMatchObject({ status: 'completed' });
    const to = new Date(Date.now() + 1_000);

    const run = await gateway.call(gateway.finance, 'POST', '/v1/finance/reconciliation/runs', {
      body: { programId: airline.programId, from: from.toISOString(), to: to.toISOString() },
    });
    expect(run.status).toBe(201);
    // The accrual's credit (partly taken back, so still credited) and the take-back; the first
    // payment's authorization (posted), capture, release and refund credit; the second's
    // authorization (voided) and void; the order's reservation (posted) and post.
    expect(await run.json()).toMatchObject({ status: 'completed', matchedCount: '10', breakCounts: {} });
  });
});
