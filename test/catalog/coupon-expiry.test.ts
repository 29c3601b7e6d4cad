// Coupons expire on time and, when their item says so, an expired, unused coupon gives the member
// their points back: the expiry Schedule triggered on the real Temporal server, the refund credited
// at a real partner server (or the hosted ledger), the opposite obligation owed. A coupon redeemed
// first is never expired nor refunded; a refusal is flagged, not retried for ever. A database of this
// file's own: the expiry runs over every coupon, and other files' coupons are theirs.
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { completeCouponRefund } from '../../store/coupon-expiry.ts';
import { createLedgerAccountIds } from '../../store/hosted-ledger/accounts.ts';
import { creditPoints } from '../../store/hosted-ledger/operations.ts';
import { readBalance } from '../../store/hosted-ledger/reports.ts';
import type { CouponExpirySummary } from '../../workflows/coupon-expiry.workflow.ts';
import { couponRefundWorkflowId, startCouponRefund } from '../../workflows/coupon-expiry-client.ts';
import type { CouponRefundOutcome } from '../../workflows/coupon-expiry-refund.workflow.ts';
import { couponExpiryScheduleId } from '../../workflows/schedules.ts';
import { type AlliancePartner, createAlliance, type Member } from '../support/alliance.ts';
import { testTransferTimeouts } from '../support/gateway.ts';
import { expectReceivedAsDocumented } from '../support/webhook-contract.ts';

const alliance = await createAlliance({ ownDatabase: 'coupon_expiry', couponExpiry: { batchSize: 2 } });
const { gateway, coffee, airline, bookstore } = alliance;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Order {
  id: string;
  status: string;
  coupon: { id: string; code: string; status: string; validUntil: string | null } | null;
}

/** Publishes a coupon valid until a few seconds from now. */
async function publishShortLived(
  publisher: AlliancePartner,
  refundOnExpiry: boolean,
): Promise<{ id: string; until: Date }> {
  const until = new Date(Date.now() + 4_000);
  const response = await gateway.call(publisher.signer, 'POST', '/v1/catalog/items', {
    body: {
      programId: publisher.programId,
      kind: 'coupon',
      title: refundOnExpiry ? 'Lounge pass, refunded unused' : 'Lounge pass',
      pricePoints: '70',
      stock: '10',
      coupon: { validity: { until: until.toISOString() }, refundOnExpiry },
    },
  });
  expect(response.status).toBe(201);
  return { id: ((await response.json()) as { id: string }).id, until };
}

async function buy(buyer: AlliancePartner, member: Member, itemId: string): Promise<Order> {
  const quote = await gateway.call(buyer.signer, 'POST', '/v1/catalog/quotes', {
    body: { memberId: member.memberId, programId: buyer.programId, itemId },
  });
  expect(quote.status).toBe(201);
  const placed = await gateway.call(buyer.signer, 'POST', '/v1/catalog/orders', {
    body: { quoteId: ((await quote.json()) as { id: string }).id },
  });
  expect(placed.status).toBe(202);
  const orderId = ((await placed.json()) as Order).id;
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const current = (await (
      await gateway.call(buyer.signer, 'GET', `/v1/catalog/orders/${orderId}`)
    ).json()) as Order;
    if (current.status !== 'reserved') {
      expect(current.status).toBe('completed');
      return current;
    }
    await sleep(100);
  }
  throw new Error(`order ${orderId} did not end in 30 s`);
}

async function pastEnd(until: Date): Promise<void> {
  await sleep(Math.max(0, until.getTime() - Date.now() + 200));
}

/** Triggers the expiry Schedule and waits for that run's summary. */
async function runExpiry(): Promise<CouponExpirySummary> {
  const schedule = gateway.temporal.schedule.getHandle(couponExpiryScheduleId(gateway.taskQueue));
  const runIds = async () =>
    (await schedule.describe()).info.recentActions.map((taken) => taken.action.workflow);
  const before = new Set((await runIds()).map((run) => run.firstExecutionRunId));
  await schedule.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
  for (let attempt = 0; attempt < 150; attempt += 1) {
    const fresh = (await runIds()).find((run) => !before.has(run.firstExecutionRunId));
    if (fresh) {
      return gateway.temporal.workflow
        .getHandle(fresh.workflowId, fresh.firstExecutionRunId)
        .result() as Promise<CouponExpirySummary>;
    }
    await sleep(100);
  }
  throw new Error('the expiry Schedule started no run in 15 s');
}

const refundOutcome = (couponId: string) =>
  gateway.temporal.workflow
    .getHandle(couponRefundWorkflowId(couponId))
    .result() as Promise<CouponRefundOutcome>;

const couponRow = (couponId: string) =>
  gateway.db.selectFrom('coupons').selectAll().where('id', '=', couponId).executeTakeFirstOrThrow();

const refundObligations = (couponId: string) =>
  gateway.db
    .selectFrom('settlement_obligations')
    .selectAll()
    .where('source_id', '=', couponId)
    .where('kind', '=', 'redemption_refund')
    .execute();

async function till(publisher: AlliancePartner, code: string) {
  const validation = (await (
    await gateway.call(publisher.signer, 'POST', '/v1/coupons/validations', { body: { code } })
  ).json()) as { valid: boolean; reason: string | null };
  const redemption = await gateway.call(publisher.signer, 'POST', '/v1/coupons/redemptions', {
    body: { code },
  });
  return { validation, redemption: { status: redemption.status, ...((await redemption.json()) as object) } };
}

describe('an expired, unused coupon whose item gives the points back', () => {
  it('is refunded once, however often the expiry runs, with the opposite obligation', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const item = await publishShortLived(airline, true);
    const order = await buy(coffee, member, item.id);
    const couponId = order.coupon?.id ?? '';
    expect(await alliance.balance(coffee, member)).toBe(900n);
    await pastEnd(item.until);

    const first = await runExpiry();
    expect(first.refundsStarted).toContain(couponId);
    expect(await refundOutcome(couponId)).toBe('refunded');
    expect(await alliance.balance(coffee, member)).toBe(1_000n);
    expect(await couponRow(couponId)).toMatchObject({
      status: 'refunded',
      refund_status: 'refunded',
      expired_at: expect.any(Date),
      refunded_at: expect.any(Date),
    });
    // 70 miles at the agreement's settlement price: coffee owed the airline 70; now the reverse.
    expect(await refundObligations(couponId)).toEqual([
      expect.objectContaining({
        debtor_partner_id: airline.partner.id,
        creditor_partner_id: coffee.partner.id,
        amount_minor: 70n,
        transfer_id: null,
      }),
    ]);
    const steps = await gateway.db
      .selectFrom('catalog_order_steps')
      .select(['step', 'outcome'])
      .where('order_id', '=', order.id)
      .execute();
    expect(steps).toEqual(
      expect.arrayContaining([
        { step: 'coupon_refund', outcome: 'done' },
        { step: 'coupon_refunded', outcome: 'done' },
      ]),
    );
    const webhooks = await gateway.db
      .selectFrom('webhook_deliveries')
      .select('partner_id')
      .where('event_id', '=', `${couponId}:catalog.coupon_refunded`)
      .execute();
    expect(webhooks.map((row) => row.partner_id).sort()).toEqual(
      [coffee.partner.id, airline.partner.id].sort(),
    );

    // Again, by the Schedule and by hand: nothing more is started, credited or owed.
    const second = await runExpiry();
    expect(second.refundsStarted).not.toContain(couponId);
    expect(
      await startCouponRefund(
        { client: gateway.temporal, taskQueue: gateway.taskQueue, timeouts: testTransferTimeouts },
        couponId,
      ),
    ).toBe(false);
    await sleep(500);
    expect(await alliance.balance(coffee, member)).toBe(1_000n);
    expect(await refundObligations(couponId)).toHaveLength(1);

    const atTill = await till(airline, order.coupon?.code ?? '');
    expect(atTill.validation).toMatchObject({ valid: false, reason: 'refunded' });
    expect(atTill.redemption).toMatchObject({ status: 409, code: 'coupon_expired' });

    // The refund's ending again (its answer lost to the workflow) hands on the webhooks still waiting.
    await expect
      .poll(async () =>
        (
          await gateway.db
            .selectFrom('webhook_deliveries')
            .select('status')
            .where('event_id', '=', `${couponId}:catalog.coupon_refunded`)
            .execute()
        ).every((row) => row.status === 'delivered'),
      )
      .toBe(true);
    const waiting = await gateway.db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending' })
      .where('event_id', '=', `${couponId}:catalog.coupon_refunded`)
      .returning('id')
      .execute();
    const handedOn = await completeCouponRefund(gateway.db, { couponId, now: new Date() });
    expect(handedOn.sort()).toEqual(waiting.map((row) => row.id).sort());
    expect(await refundObligations(couponId)).toHaveLength(1);
  });

  it('expires in batches and refunds points kept in the hosted ledger', async () => {
    const member = await alliance.member({ bookstore: 1_000n });
    const item = await publishShortLived(coffee, true);
    const orders = [];
    for (let index = 0; index < 3; index += 1) orders.push(await buy(bookstore, member, item.id));
    const spent = 1_000n - (await alliance.balance(bookstore, member));
    expect(spent).toBeGreaterThan(0n);
    await pastEnd(item.until);

    const run = await runExpiry();
    expect(run.expired).toBeGreaterThanOrEqual(3);
    const couponIds = orders.map((placed) => placed.coupon?.id ?? '');
    expect(run.refundsStarted).toEqual(expect.arrayContaining(couponIds));
    for (const couponId of couponIds) expect(await refundOutcome(couponId)).toBe('refunded');
    expect(await alliance.balance(bookstore, member)).toBe(1_000n);
  });

  it('gives hosted points back with the expiry they had, not as fresh points', async () => {
    const soon = new Date(Math.floor(Date.now() / 1_000) * 1_000 + 10 * 86_400_000);
    const member = await alliance.member({});
    const seeded = await creditPoints(gateway.db, createLedgerAccountIds(), {
      programId: bookstore.programId,
      key: `soon-${member.accounts.bookstore}`,
      accountRef: member.accounts.bookstore,
      points: 1_000n,
      reason: 'points about to expire',
      carriedExpiry: [{ points: 1_000n, expiresAt: soon }],
    });
    expect(seeded.outcome).toBe('done');
    const item = await publishShortLived(coffee, true);
    const order = await buy(bookstore, member, item.id);
    await pastEnd(item.until);
    await runExpiry();
    expect(await refundOutcome(order.coupon?.id ?? '')).toBe('refunded');
    const balance = await readBalance(gateway.db, bookstore.programId, member.accounts.bookstore);
    expect(balance?.expiryProfile).toEqual([{ points: 1_000n, expiresAt: soon }]);
  });

  it('carries on once when the member’s programme credited but the answer was lost', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const item = await publishShortLived(airline, true);
    const order = await buy(coffee, member, item.id);
    await pastEnd(item.until);
    alliance.fault(coffee, { operation: 'credit', mode: 'fail_after' });
    await runExpiry();
    expect(await refundOutcome(order.coupon?.id ?? '')).toBe('refunded');
    expect(await alliance.balance(coffee, member)).toBe(1_000n);
  });

  it('is flagged for finance when the member’s programme refuses the credit', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const item = await publishShortLived(airline, true);
    const order = await buy(coffee, member, item.id);
    const couponId = order.coupon?.id ?? '';
    await pastEnd(item.until);
    alliance.fault(coffee, { operation: 'credit', mode: 'refuse', code: 'account_closed' });

    await runExpiry();
    expect(await refundOutcome(couponId)).toBe('flagged');
    expect(await couponRow(couponId)).toMatchObject({
      status: 'expired',
      refund_status: 'flagged',
      refund_failure_code: 'account_closed',
    });
    expect(await alliance.balance(coffee, member)).toBe(900n);
    expect(await refundObligations(couponId)).toEqual([]);
    const steps = await gateway.db
      .selectFrom('catalog_order_steps')
      .select(['step', 'outcome'])
      .where('order_id', '=', order.id)
      .execute();
    expect(steps).toEqual(
      expect.arrayContaining([
        { step: 'coupon_refund', outcome: 'refused' },
        { step: 'coupon_refund_flagged', outcome: 'account_closed' },
      ]),
    );
    // A flagged refund is finance's now: the next run does not try it again.
    expect((await runExpiry()).refundsStarted).not.toContain(couponId);
    const atTill = await till(airline, order.coupon?.code ?? '');
    expect(atTill.validation).toMatchObject({ valid: false, reason: 'expired' });
  });
});

describe('a coupon without a refund, or used in time', () => {
  it('only expires when its item gives nothing back', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const item = await publishShortLived(airline, false);
    const order = await buy(coffee, member, item.id);
    const couponId = order.coupon?.id ?? '';
    await pastEnd(item.until);

    const run = await runExpiry();
    expect(run.refundsStarted).not.toContain(couponId);
    expect(await couponRow(couponId)).toMatchObject({
      status: 'expired',
      refund_status: null,
      expired_at: expect.any(Date),
    });
    expect(await alliance.balance(coffee, member)).toBe(900n);
    expect(await refundObligations(couponId)).toEqual([]);
    const atTill = await till(airline, order.coupon?.code ?? '');
    expect(atTill.validation).toMatchObject({ valid: false, reason: 'expired' });
    expect(atTill.redemption).toMatchObject({ status: 409, code: 'coupon_expired' });
  });

  it('is neither expired nor refunded once redeemed before its end', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const item = await publishShortLived(airline, true);
    const order = await buy(coffee, member, item.id);
    const couponId = order.coupon?.id ?? '';
    const redeemed = await gateway.call(airline.signer, 'POST', '/v1/coupons/redemptions', {
      body: { code: order.coupon?.code ?? '' },
    });
    expect(redeemed.status).toBe(200);
    await pastEnd(item.until);

    const run = await runExpiry();
    expect(run.refundsStarted).not.toContain(couponId);
    expect(await couponRow(couponId)).toMatchObject({
      status: 'redeemed',
      refund_status: null,
      expired_at: null,
    });
    expect(await alliance.balance(coffee, member)).toBe(900n);
    expect(await refundObligations(couponId)).toEqual([]);
  });
});

describe('the webhooks this file’s partners received', () => {
  it('are each as the OpenAPI document describes them', () =>
    expectReceivedAsDocumented([coffee, airline], ['catalog.coupon_refunded']));
});
