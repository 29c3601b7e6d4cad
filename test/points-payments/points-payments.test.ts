// Points as cash at checkout, end to end: the coffee shop takes part of an order in the member's
// airline miles (a reference partner over HTTP) or bookstore points (hosted). Authorize, partial
// capture with the rest released, void, refunds in parts, an authorization that expires (the sweep's
// Schedule triggered on the real Temporal server), a retried request, and an answer lost on the way
// back. Balances, obligations and webhooks are read where they are kept. A database of this file's
// own: the sweep runs over every payment.
import { randomUUID } from 'node:crypto';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { endOperation } from '../../store/points-payments.ts';
import { pointsPaymentSweepScheduleId } from '../../workflows/points-payment-sweep-schedule.ts';
import { type AlliancePartner, createAlliance, type Member } from '../support/alliance.ts';
import { expectReceivedAsDocumented } from '../support/webhook-contract.ts';

const alliance = await createAlliance({
  ownDatabase: 'points_payments',
  pointsPayments: { untouchedSeconds: 1 },
});
const { gateway, coffee, airline, bookstore } = alliance;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Payment {
  id: string;
  status: string;
  authorized: { points: string; amountMinor: string };
  captured: { points: string; amountMinor: string };
  refunded: { points: string; amountMinor: string };
  failure: { code: string } | null;
  operation?: { id: string; kind: string; status: string; points: string; amountMinor: string };
  operations: { id: string; kind: string; status: string }[];
  steps: { step: string; outcome: string }[];
}

/** An owner offers a merchant (the coffee shop unless said) a price for its points; the merchant accepts. */
async function agreeCash(
  owner: AlliancePartner,
  amountMinor: string,
  perPoints: string,
  merchant: AlliancePartner = coffee,
): Promise<void> {
  const offered = await gateway.call(owner.signer, 'POST', '/v1/cash-agreements', {
    body: {
      programId: owner.programId,
      merchantId: merchant.partner.id,
      amountMinor,
      perPoints,
      currency: 'USD',
    },
  });
  expect(offered.status).toBe(201);
  const { id } = (await offered.json()) as { id: string };
  const accepted = await gateway.call(merchant.signer, 'POST', `/v1/cash-agreements/${id}/accept`);
  expect(accepted.status).toBe(200);
  expect(((await accepted.json()) as { status: string }).status).toBe('accepted');
}

beforeAll(async () => {
  await agreeCash(airline, '2', '1'); // a mile is worth 2 cents at the coffee shop
  await agreeCash(bookstore, '1', '1');
});

const member = (balances: { airline?: bigint; bookstore?: bigint }) =>
  alliance.member(balances, { scopes: ['transfers', 'redemptions'] });

async function post(
  path: string,
  body: unknown,
  idempotencyKey?: string,
): Promise<{ status: number; payment: Payment }> {
  const response = await gateway.call(coffee.signer, 'POST', path, {
    ...(body === undefined ? {} : { body }),
    ...(idempotencyKey ? { idempotencyKey } : {}),
  });
  const payment = (await response.json()) as Payment;
  return { status: response.status, payment };
}

const authorize = (who: Member, program: AlliancePartner, amount: object, extra: object = {}, key?: string) =>
  post(
    '/v1/points-payments',
    {
      memberId: who.memberId,
      programId: program.programId,
      orderReference: `order-${randomUUID()}`,
      ...amount,
      ...extra,
    },
    key,
  );

/** Reads the payment until its last operation has ended. */
async function settled(paymentId: string, merchant: AlliancePartner = coffee): Promise<Payment> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const response = await gateway.call(merchant.signer, 'GET', `/v1/points-payments/${paymentId}`);
    const payment = (await response.json()) as Payment;
    if (payment.operations.every((operation) => operation.status !== 'pending')) return payment;
    await sleep(100);
  }
  throw new Error(`payment ${paymentId} did not settle in 30 s`);
}

const obligations = (sourceId: string) =>
  gateway.db
    .selectFrom('settlement_obligations')
    .select(['kind', 'debtor_partner_id', 'creditor_partner_id', 'amount_minor'])
    .where('source_id', '=', sourceId)
    .execute();

const events = (operationId: string) =>
  gateway.db
    .selectFrom('webhook_deliveries')
    .select(['partner_id', 'event_type', 'status'])
    .where('event_id', 'like', `${operationId}:%`)
    .execute();

describe('points payments', () => {
  it('authorizes at a partner system, captures part and releases the rest; the owner owes the merchant', async () => {
    const who = await member({ airline: 10_000n });
    const authorized = await authorize(who, airline, { points: '1000' });
    expect(authorized.status).toBe(201);
    expect(authorized.payment.status).toBe('authorized');
    expect(authorized.payment.authorized).toEqual({ points: '1000', amountMinor: '2000' });
    expect(await alliance.balance(airline, who)).toBe(9_000n);

    const captured = await post(`/v1/points-payments/${authorized.payment.id}/captures`, { points: '600' });
    expect(captured.status).toBe(201);
    expect(captured.payment.status).toBe('captured');
    expect(captured.payment.captured).toEqual({ points: '600', amountMinor: '1200' });
    expect(await alliance.balance(airline, who)).toBe(9_400n);
    const captureId = captured.payment.operation?.id ?? '';
    expect(await obligations(captureId)).toEqual([
      {
        kind: 'points_payment',
        debtor_partner_id: airline.partner.id,
        creditor_partner_id: coffee.partner.id,
        amount_minor: 1200n,
      },
    ]);
    expect((await events(captureId)).map((event) => event.partner_id).sort()).toEqual(
      [airline.partner.id, coffee.partner.id].sort(),
    );

    // Captured once: neither a second capture nor a void is possible now.
    const again = await post(`/v1/points-payments/${authorized.payment.id}/captures`, { points: '400' });
    expect(again.status).toBe(409);
    expect((await post(`/v1/points-payments/${authorized.payment.id}/void`, undefined)).status).toBe(409);
    expect(await alliance.balance(airline, who)).toBe(9_400n);
  });

  it('hands on again, from a repeat of a capture’s ending, the webhooks still waiting', async () => {
    const who = await member({ airline: 1_000n });
    const authorized = await authorize(who, airline, { points: '100' });
    const captured = await post(`/v1/points-payments/${authorized.payment.id}/captures`, { points: '100' });
    expect(captured.status).toBe(201);
    const captureId = captured.payment.operation?.id ?? '';
    // The ending committed, its answer lost before the workflow recorded it: the activity runs again
    // while the deliveries it queued still wait.
    await expect
      .poll(async () => (await events(captureId)).every((event) => event.status === 'delivered'))
      .toBe(true);
    const queued = await gateway.db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending' })
      .where('event_id', '=', `${captureId}:points_payment.captured`)
      .returning('id')
      .execute();
    expect(queued).toHaveLength(2);
    const handedOn = await endOperation(gateway.db, {
      operationId: captureId,
      end: { kind: 'captured', attention: null },
    });
    expect(handedOn.sort()).toEqual(queued.map((row) => row.id).sort());
    // Owed once, whatever the repeat.
    expect(await obligations(captureId)).toHaveLength(1);
  });

  it('authorizes at the hosted ledger by money, captures it whole, refunds in parts to exactly nothing', async () => {
    const who = await member({ bookstore: 5_000n });
    const authorized = await authorize(who, bookstore, { amountMinor: '500' });
    expect(authorized.status).toBe(201);
    expect(authorized.payment.authorized).toEqual({ points: '500', amountMinor: '500' });
    expect(await alliance.balance(bookstore, who)).toBe(4_500n);
    const paymentPath = `/v1/points-payments/${authorized.payment.id}`;

    const captured = await post(`${paymentPath}/captures`, {});
    expect(captured.payment.status).toBe('captured');
    expect(await alliance.balance(bookstore, who)).toBe(4_500n);

    const partial = await post(`${paymentPath}/refunds`, { points: '200' });
    expect(partial.status).toBe(201);
    expect(partial.payment.refunded).toEqual({ points: '200', amountMinor: '200' });
    expect(await alliance.balance(bookstore, who)).toBe(4_700n);
    expect(await obligations(partial.payment.operation?.id ?? '')).toEqual([
      {
        kind: 'points_payment_refund',
        debtor_partner_id: coffee.partner.id,
        creditor_partner_id: bookstore.partner.id,
        amount_minor: 200n,
      },
    ]);

    const tooMuch = await post(`${paymentPath}/refunds`, { points: '301' });
    expect(tooMuch.status).toBe(422);
    const rest = await post(`${paymentPath}/refunds`, {});
    expect(rest.payment.refunded).toEqual({ points: '500', amountMinor: '500' });
    expect(await alliance.balance(bookstore, who)).toBe(5_000n);
    expect((await post(`${paymentPath}/refunds`, { points: '1' })).status).toBe(422);
  });

  it('refunds a capture at a partner system', async () => {
    const who = await member({ airline: 1_000n });
    const { payment } = await authorize(who, airline, { points: '300' });
    await post(`/v1/points-payments/${payment.id}/captures`, {});
    const refunded = await post(`/v1/points-payments/${payment.id}/refunds`, { points: '100' });
    expect(refunded.payment.refunded).toEqual({ points: '100', amountMinor: '200' });
    expect(await alliance.balance(airline, who)).toBe(800n);
  });

  it('voids an authorization before capture: the points are the member’s again', async () => {
    const who = await member({ airline: 1_000n });
    const { payment } = await authorize(who, airline, { points: '300' });
    expect(await alliance.balance(airline, who)).toBe(700n);
    const voided = await post(`/v1/points-payments/${payment.id}/void`, undefined);
    expect(voided.status).toBe(201);
    expect(voided.payment.status).toBe('voided');
    expect(await alliance.balance(airline, who)).toBe(1_000n);
    expect((await post(`/v1/points-payments/${payment.id}/captures`, {})).status).toBe(409);
    expect(await obligations(voided.payment.operation?.id ?? '')).toEqual([]);
  });

  it('a void the programme refuses needs a person: finance gets a flag naming the payment', async () => {
    const who = await member({ airline: 1_000n });
    const { payment } = await authorize(who, airline, { points: '300' });
    alliance.fault(airline, { operation: 'void', mode: 'refuse', code: 'account_frozen' });
    await post(`/v1/points-payments/${payment.id}/void`, undefined);
    const ended = await settled(payment.id);
    expect(ended.status).toBe('needs_attention');
    const flags = await gateway.call(gateway.finance, 'GET', '/v1/finance/flags?limit=100');
    const open = ((await flags.json()) as { items: { pointsPaymentId: string | null; reason: string }[] })
      .items;
    const flagged = open.filter((flag) => flag.pointsPaymentId === payment.id);
    expect(flagged).toHaveLength(1);
    expect(flagged[0]?.reason).toContain('the void was refused');
  });

  it('an expired authorization releases the points when the sweep runs', async () => {
    const who = await member({ airline: 1_000n, bookstore: 1_000n });
    const atAirline = await authorize(who, airline, { points: '400' }, { expiresInSeconds: 1 });
    const atBookstore = await authorize(who, bookstore, { points: '400' }, { expiresInSeconds: 1 });
    expect(await alliance.balance(airline, who)).toBe(600n);
    await sleep(1_200);
    // Past its end, a capture is refused even before the sweep has voided it.
    expect((await post(`/v1/points-payments/${atAirline.payment.id}/captures`, {})).status).toBe(409);

    await gateway.temporal.schedule
      .getHandle(pointsPaymentSweepScheduleId(gateway.taskQueue))
      .trigger(ScheduleOverlapPolicy.ALLOW_ALL);
    for (const id of [atAirline.payment.id, atBookstore.payment.id]) {
      let payment = await settled(id);
      for (let attempt = 0; attempt < 100 && payment.status !== 'expired'; attempt += 1) {
        await sleep(100);
        payment = await settled(id);
      }
      expect(payment.status).toBe('expired');
      expect(payment.operations.map((operation) => operation.kind)).toEqual(['authorize', 'void']);
    }
    expect(await alliance.balance(airline, who)).toBe(1_000n);
    expect(await alliance.balance(bookstore, who)).toBe(1_000n);
  });

  it('a retried authorization authorizes once; concurrent captures capture once', async () => {
    const who = await member({ airline: 1_000n });
    const key = `authorize-${randomUUID()}`;
    const body = { orderReference: 'order-retried' };
    const first = await authorize(who, airline, { points: '100' }, body, key);
    const second = await authorize(who, airline, { points: '100' }, body, key);
    expect(second.payment.id).toBe(first.payment.id);
    expect(await alliance.balance(airline, who)).toBe(900n);

    const captures = await Promise.all([
      post(`/v1/points-payments/${first.payment.id}/captures`, { points: '60' }),
      post(`/v1/points-payments/${first.payment.id}/captures`, { points: '70' }),
    ]);
    expect(captures.map((capture) => capture.status).sort()).toEqual([201, 409]);
    const payment = await settled(first.payment.id);
    expect(payment.operations.filter((operation) => operation.kind === 'capture')).toHaveLength(1);
    expect(await alliance.balance(airline, who)).toBe(1_000n - BigInt(payment.captured.points));
  });

  it('a lost answer moves the points once: the reserve and the post done, their answers lost', async () => {
    const who = await member({ airline: 1_000n });
    alliance.fault(airline, { operation: 'reserve', mode: 'fail_after' });
    const { status, payment } = await authorize(who, airline, { points: '250' });
    expect(status).toBe(201);
    expect(payment.status).toBe('authorized');
    expect(await alliance.balance(airline, who)).toBe(750n);

    alliance.fault(airline, { operation: 'post', mode: 'fail_after' });
    alliance.fault(airline, { operation: 'credit', mode: 'fail_after' });
    const captured = await post(`/v1/points-payments/${payment.id}/captures`, { points: '200' });
    expect(captured.payment.status).toBe('captured');
    expect(await alliance.balance(airline, who)).toBe(800n);
    expect(await obligations(captured.payment.operation?.id ?? '')).toHaveLength(1);
  });

  it('refuses a member without redemptions consent, and a programme with no cash agreement', async () => {
    const plain = await alliance.member({ airline: 1_000n }, { scopes: ['transfers'] });
    expect((await authorize(plain, airline, { points: '10' })).status).toBe(422);
    const who = await member({ airline: 1_000n });
    const refused = await gateway.call(airline.signer, 'POST', '/v1/points-payments', {
      body: { memberId: who.memberId, programId: coffee.programId, points: '10', orderReference: 'x' },
    });
    expect(refused.status).toBe(422);
    expect(await alliance.balance(airline, who)).toBe(1_000n);
  });
});

describe('points worth no money', () => {
  it('are refused before anything is held or owed: an authorization, a part capture, a part refund', async () => {
    // The airline's shop takes bookstore points at a cent per 100: 49 points are worth nothing.
    await agreeCash(bookstore, '1', '100', airline);
    const who = await member({ bookstore: 1_000n });
    const call = async (path: string, body: object) => {
      const response = await gateway.call(airline.signer, 'POST', path, { body });
      return {
        status: response.status,
        body: (await response.json()) as Payment & { code?: string; errors?: { field: string }[] },
      };
    };
    const order = {
      memberId: who.memberId,
      programId: bookstore.programId,
      orderReference: `order-${randomUUID()}`,
    };
    const refusal = (reply: Awaited<ReturnType<typeof call>>) => ({
      status: reply.status,
      code: reply.body.code,
      fields: reply.body.errors?.map((error) => error.field),
    });
    const worthNothing = { status: 422, code: 'payment_too_small', fields: ['points'] };

    expect(refusal(await call('/v1/points-payments', { ...order, points: '49' }))).toEqual(worthNothing);
    expect(await alliance.balance(bookstore, who)).toBe(1_000n);
    expect(
      await gateway.db
        .selectFrom('points_payments')
        .select('id')
        .where('member_id', '=', who.memberId)
        .execute(),
    ).toEqual([]);

    // 100 points are worth a cent; a capture of 49 of them is worth nothing.
    const authorized = await call('/v1/points-payments', { ...order, points: '100' });
    expect(authorized.status).toBe(201);
    expect(authorized.body.authorized).toEqual({ points: '100', amountMinor: '1' });
    const path = `/v1/points-payments/${authorized.body.id}`;
    expect(refusal(await call(`${path}/captures`, { points: '49' }))).toEqual(worthNothing);
    const stillAuthorized = await settled(authorized.body.id, airline);
    expect(stillAuthorized.status).toBe('authorized');
    expect(stillAuthorized.operations.map((operation) => operation.kind)).toEqual(['authorize']);
    expect(await alliance.balance(bookstore, who)).toBe(900n);

    const captured = await call(`${path}/captures`, {});
    expect(captured.body.captured).toEqual({ points: '100', amountMinor: '1' });
    // A part refund worth nothing would give the points back and the owner no money.
    expect(refusal(await call(`${path}/refunds`, { points: '49' }))).toEqual(worthNothing);
    expect(await alliance.balance(bookstore, who)).toBe(900n);
    // 50 points round to the whole cent; the rest then goes back with no money (none is left).
    const half = await call(`${path}/refunds`, { points: '50' });
    expect(half.body.refunded).toEqual({ points: '50', amountMinor: '1' });
    const rest = await call(`${path}/refunds`, {});
    expect(rest.status).toBe(201);
    expect(rest.body.refunded).toEqual({ points: '100', amountMinor: '1' });
    expect(await obligations(rest.body.operation?.id ?? '')).toEqual([]);
    expect(await alliance.balance(bookstore, who)).toBe(1_000n);
  });
});

describe('the webhooks this file’s partners received', () => {
  it('are each as the OpenAPI document describes them', () =>
    expectReceivedAsDocumented(
      [coffee, airline],
      [
        'points_payment.authorized',
        'points_payment.captured',
        'points_payment.voided',
        'points_payment.refunded',
      ],
    ));
});
