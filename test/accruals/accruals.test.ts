// Earning at partner merchants: coffee (the merchant) reports members' purchases and they earn airline
// miles (a partner system over HTTP) or bookstore points (the hosted ledger); coffee owes each
// programme's owner for the points, and a refund takes them back. Real partner servers, real
// Temporal, real PostgreSQL.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkLedger } from '../../store/hosted-ledger/reports.ts';
import { type Accrual, accrualKit, type Refund } from '../support/accruals.ts';
import { type AlliancePartner, createAlliance } from '../support/alliance.ts';
import { expectReceivedAsDocumented } from '../support/webhook-contract.ts';

// A database of its own, as the sweep's file has (accrual-sweep.test.ts).
const alliance = await createAlliance({ ownDatabase: 'accruals' });
const { gateway, coffee, airline, bookstore } = alliance;

const { accrue, accrued, refund, refunded, obligationsOf, read } = await accrualKit(alliance);

describe('earning at a partner merchant', () => {
  it('credits miles at an HTTP programme; the merchant owes the airline for them', async () => {
    const member = await alliance.member({});
    const accrual = await accrued(await accrue(member, airline, 50_999n));
    expect(accrual).toMatchObject({ points: '50', amountOwedMinor: '150', tier: null, failure: null });
    expect(await alliance.balance(airline, member)).toBe(50n);
    expect(await obligationsOf(accrual.id)).toEqual([
      {
        kind: 'accrual',
        debtor_partner_id: coffee.partner.id,
        creditor_partner_id: airline.partner.id,
        amount_minor: 150n,
        currency: 'CNY',
      },
    ]);
    // Both partners read it and get the webhook; no one else sees it.
    expect((await read(accrual.id, airline)).steps.map((step) => step.step)).toEqual([
      'created',
      'credit',
      'completed',
    ]);
    expect((await gateway.call(bookstore.signer, 'GET', `/v1/accruals/${accrual.id}`)).status).toBe(404);
    const webhooks = await gateway.db
      .selectFrom('webhook_deliveries')
      .select('partner_id')
      .where('event_id', '=', `${accrual.id}:accrual.completed`)
      .execute();
    expect(webhooks.map((row) => row.partner_id).sort()).toEqual(
      [coffee.partner.id, airline.partner.id].sort(),
    );
  });

  it('credits points in the hosted ledger', async () => {
    const member = await alliance.member({});
    const accrual = await accrued(await accrue(member, bookstore, 12_345n));
    expect(accrual).toMatchObject({ points: '123', amountOwedMinor: '123' });
    expect(await alliance.balance(bookstore, member)).toBe(123n);
    expect(await checkLedger(gateway.db)).toEqual({ entriesSum: 0n, accountsOutOfBalance: [] });
  });

  it("applies the member's tier bonus at the earning programme", async () => {
    const member = await alliance.member({});
    const accountRef = `gold-${randomUUID()}`;
    // The member's gold account at the airline is a second member: links are one per member and programme.
    const linked = await gateway.call(airline.signer, 'POST', '/v1/member-links', {
      body: {
        memberId: null,
        programId: airline.programId,
        accountRef,
        tier: 'gold',
        consent: { grantedAt: new Date().toISOString(), scopes: ['transfers'], reference: 'gold' },
      },
    });
    expect(linked.status).toBe(201);
    const gold = { ...member, memberId: ((await linked.json()) as { memberId: string }).memberId };
    await airline.server?.books.openAccount(accountRef, 0n);
    const accrual = await accrued(await accrue(gold, airline, 50_000n));
    expect(accrual).toMatchObject({ points: '75', amountOwedMinor: '225', tier: 'gold' });
  });

  it('accrues once for a retried key, and once per order reference', async () => {
    const member = await alliance.member({});
    const orderReference = `order-${randomUUID()}`;
    const first = await accrued(
      await accrue(member, airline, 30_000n, { orderReference, idempotencyKey: 'k1' }),
    );
    const replay = await accrue(member, airline, 30_000n, { orderReference, idempotencyKey: 'k1' });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(((await replay.json()) as Accrual).id).toBe(first.id);
    const sameOrder = await accrued(await accrue(member, airline, 30_000n, { orderReference }));
    expect(sameOrder.id).toBe(first.id);
    const otherFigures = await accrue(member, airline, 31_000n, { orderReference });
    expect(otherFigures.status).toBe(409);
    expect(((await otherFigures.json()) as { code: string }).code).toBe('order_already_accrued');
    expect(await alliance.balance(airline, member)).toBe(30n);
    expect(await obligationsOf(first.id)).toHaveLength(1);
  });

  it('credits once when the programme credited but its answer was lost', async () => {
    const member = await alliance.member({});
    alliance.fault(airline, { operation: 'credit', mode: 'fail_after' });
    const accrual = await accrued(await accrue(member, airline, 40_000n));
    expect(await alliance.balance(airline, member)).toBe(40n);
    expect(await obligationsOf(accrual.id)).toHaveLength(1);
  });

  it('fails cleanly when the programme refuses the credit: nothing credited, nothing owed', async () => {
    const member = await alliance.member({});
    alliance.fault(airline, { operation: 'credit', mode: 'refuse', code: 'account_closed' });
    const response = await accrue(member, airline, 40_000n);
    expect(response.status).toBe(201);
    const accrual = (await response.json()) as Accrual;
    expect(accrual).toMatchObject({ status: 'failed', failure: { code: 'account_closed' } });
    expect(await alliance.balance(airline, member)).toBe(0n);
    expect(await obligationsOf(accrual.id)).toEqual([]);
    // A failed accrual is not refunded.
    const refused = await refund(accrual.id);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { code: string }).code).toBe('accrual_not_completed');
  });

  it('refuses a member who is not linked to the earning programme, and a programme without an agreement', async () => {
    const member = await alliance.member({});
    const stranger = { ...member, memberId: 'mbr_01jh8x4z3e6q2v8k9m0n1p2r3v' };
    const unlinked = await accrue(stranger, airline, 40_000n);
    expect(((await unlinked.json()) as { code: string }).code).toBe('member_link_missing');
    const noAgreement = await accrue(member, coffee, 40_000n);
    expect(noAgreement.status).toBe(422);
    expect(((await noAgreement.json()) as { code: string }).code).toBe('agreement_not_in_force');
  });
});

describe('refunding an accrued purchase', () => {
  it('takes every point back on a full refund, and the airline owes the price back', async () => {
    const member = await alliance.member({});
    const accrual = await accrued(await accrue(member, airline, 50_000n));
    // Only the merchant refunds; the programme's owner is refused, anyone else does not see it.
    const refundBy = (partner: AlliancePartner) =>
      gateway.call(partner.signer, 'POST', `/v1/accruals/${accrual.id}/reversals`, {
        body: { reason: 'no' },
      });
    expect((await refundBy(airline)).status).toBe(403);
    expect((await refundBy(bookstore)).status).toBe(404);
    const reversal = await refunded(await refund(accrual.id));
    expect(reversal).toMatchObject({
      refundAmountMinor: '50000',
      points: '50',
      takenPoints: '50',
      shortfallPoints: '0',
      reversedAmountMinor: '150',
    });
    expect(await alliance.balance(airline, member)).toBe(0n);
    expect(await obligationsOf(reversal.id)).toEqual([
      {
        kind: 'accrual_reversal',
        debtor_partner_id: airline.partner.id,
        creditor_partner_id: coffee.partner.id,
        amount_minor: 150n,
        currency: 'CNY',
      },
    ]);
    const again = await refund(accrual.id);
    expect(again.status).toBe(422);
    expect(((await again.json()) as { code: string }).code).toBe('refund_exceeds_purchase');
    const timeline = (await read(accrual.id, airline)).steps.map((step) => step.step);
    expect(timeline).toEqual(expect.arrayContaining([`${reversal.id}:reverse`, `${reversal.id}:completed`]));
  });

  it('refunds in parts that add up to exactly the accrual (hosted)', async () => {
    const member = await alliance.member({});
    const accrual = await accrued(await accrue(member, bookstore, 50_000n));
    const first = await refunded(await refund(accrual.id, { refundAmountMinor: '12345' }));
    expect(first).toMatchObject({ points: '123', takenPoints: '123', reversedAmountMinor: '123' });
    const tooMuch = await refund(accrual.id, { refundAmountMinor: '37656' });
    expect(tooMuch.status).toBe(422);
    const rest = await refunded(await refund(accrual.id));
    expect(rest).toMatchObject({ refundAmountMinor: '37655', points: '377', reversedAmountMinor: '377' });
    expect(await alliance.balance(bookstore, member)).toBe(0n);
    expect((await read(accrual.id)).reversals.map((item) => item.id)).toEqual([first.id, rest.id]);
    expect(await checkLedger(gateway.db)).toEqual({ entriesSum: 0n, accountsOutOfBalance: [] });
  });

  it('takes what is left when the member spent the points; the merchant bears the shortfall', async () => {
    const member = await alliance.member({});
    const accrual = await accrued(await accrue(member, bookstore, 50_000n));
    // The member moves 300 of the 500 book points on to coffee before the refund.
    const moved = await alliance.transfer(bookstore, coffee, member, 300n);
    expect(((await moved.json()) as { status: string }).status).toBe('completed');
    const reversal = await refunded(await refund(accrual.id));
    expect(reversal).toMatchObject({
      points: '500',
      takenPoints: '200',
      shortfallPoints: '300',
      reversedAmountMinor: '200',
    });
    expect(await alliance.balance(bookstore, member)).toBe(0n);
    // Coffee paid 500 for the points and is given back 200: it keeps paying for the 300 spent.
    expect((await obligationsOf(reversal.id))[0]?.amount_minor).toBe(200n);
    const steps = (await read(accrual.id)).steps;
    expect(steps.find((step) => step.step === `${reversal.id}:completed`)).toBeDefined();
  });

  it('takes back what it can over HTTP when the member has spent everything', async () => {
    const member = await alliance.member({});
    const accrual = await accrued(await accrue(member, airline, 50_000n));
    const moved = await alliance.transfer(airline, bookstore, member, 50n);
    expect(((await moved.json()) as { status: string }).status).toBe('completed');
    const reversal = await refunded(await refund(accrual.id));
    expect(reversal).toMatchObject({ takenPoints: '0', shortfallPoints: '50', reversedAmountMinor: '0' });
    expect(await obligationsOf(reversal.id)).toEqual([]);
  });

  it('lets only one of two concurrent refunds through when together they would overshoot', async () => {
    const member = await alliance.member({});
    const accrual = await accrued(await accrue(member, airline, 50_000n));
    const answers = await Promise.all([
      refund(accrual.id, { refundAmountMinor: '30000' }),
      refund(accrual.id, { refundAmountMinor: '30000' }),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 422]);
    expect(await alliance.balance(airline, member)).toBe(20n);
    expect((await read(accrual.id)).reversals).toHaveLength(1);
  });

  it('fails a refund the programme refuses, and the purchase can be refunded again', async () => {
    const member = await alliance.member({});
    const accrual = await accrued(await accrue(member, airline, 50_000n));
    alliance.fault(airline, { operation: 'reverse', mode: 'refuse', code: 'account_frozen' });
    const response = await refund(accrual.id);
    expect(response.status).toBe(201);
    expect((await response.json()) as Refund).toMatchObject({ status: 'failed', takenPoints: null });
    expect(await alliance.balance(airline, member)).toBe(50n);
    await refunded(await refund(accrual.id));
    expect(await alliance.balance(airline, member)).toBe(0n);
  });

  it('takes back once when the answer to the take-back was lost', async () => {
    const member = await alliance.member({});
    const accrual = await accrued(await accrue(member, airline, 50_000n));
    alliance.fault(airline, { operation: 'reverse', mode: 'fail_after' });
    const reversal = await refunded(await refund(accrual.id, { refundAmountMinor: '20000' }));
    expect(reversal).toMatchObject({ takenPoints: '20', reversedAmountMinor: '60' });
    expect(await alliance.balance(airline, member)).toBe(30n);
  });
});

describe('the webhooks this file’s partners received', () => {
  it('are each as the OpenAPI document describes them', () =>
    expectReceivedAsDocumented([coffee, airline], ['accrual.completed', 'accrual.reversed']));
});
