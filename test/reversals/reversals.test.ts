// A source partner (or finance) reverses a completed transfer: the target member gives the points
// back (what is left of them), the source member gets theirs back, and the opposite obligation is
// owed. Real partner systems over HTTP and the hosted ledger, real Temporal, real PostgreSQL. What
// happens when something goes wrong on the way is in reversal-failures.test.ts.
import { describe, expect, it } from 'vitest';
import { checkLedger } from '../../store/hosted-ledger/reports.ts';
import { createAlliance } from '../support/alliance.ts';
import { agreeRate } from '../support/exchange.ts';
import { type Reversal, reversalKit } from '../support/reversals.ts';
import { expectReceivedAsDocumented } from '../support/webhook-contract.ts';

// A database of its own, as the failures' file has (reversal-failures.test.ts).
const alliance = await createAlliance({ ownDatabase: 'reversals' });
const { gateway, coffee, airline, bookstore } = alliance;
// Reversals from airline miles into books: a shortfall is the bookstore's (the target's) to bear.
await agreeRate(gateway, airline, bookstore, {
  fromPoints: '10',
  toPoints: '10',
  sourcePointsMin: '1',
  sourcePointsMax: '1000000',
  memberDailyCapSourcePoints: '10000000',
  reversalShortfallPayer: 'target_partner',
});
const { completedTransfer, reverse, reversed, obligationsOf } = reversalKit(alliance);

/** The open finance flag a reversal raised, read page by page as finance would. */
async function openFlagOf(reversalId: string) {
  let cursor = '';
  while (true) {
    const response = await gateway.call(gateway.finance, 'GET', `/v1/finance/flags?limit=100${cursor}`);
    expect(response.status).toBe(200);
    const page = (await response.json()) as {
      items: { id: string; reversalId: string | null; resolution: unknown }[];
      nextCursor: string | null;
    };
    const found = page.items.find((flag) => flag.reversalId === reversalId);
    if (found || !page.nextCursor) return found;
    cursor = `&cursor=${page.nextCursor}`;
  }
}

describe('reversing a completed transfer', () => {
  it('reverses it in full: the points go back, and the target partner owes the source partner', async () => {
    const member = await alliance.member({ coffee: 5_000n });
    const transferId = await completedTransfer(coffee, airline, member, 1_000n);
    const reversal = await reversed(await reverse(coffee, transferId));
    expect(reversal).toMatchObject({
      status: 'completed',
      asked: { sourcePoints: '1000', targetPoints: '700', settlementAmountMinor: '700' },
      takenTargetPoints: '700',
      returnedSourcePoints: '1000',
      reversedAmountMinor: '700',
      failure: null,
    });
    expect(await alliance.balance(coffee, member)).toBe(5_000n);
    expect(await alliance.balance(airline, member)).toBe(0n);
    expect(await obligationsOf(reversal.id)).toEqual([
      expect.objectContaining({
        kind: 'reversal',
        transfer_id: transferId,
        debtor_partner_id: airline.partner.id,
        creditor_partner_id: coffee.partner.id,
        amount_minor: 700n,
      }),
    ]);
    // Both partners read it, on its own and on the transfer's timeline; both get a webhook.
    for (const partner of [coffee, airline]) {
      const read = await gateway.call(partner.signer, 'GET', `/v1/reversals/${reversal.id}`);
      expect(read.status).toBe(200);
      const list = (await (
        await gateway.call(partner.signer, 'GET', `/v1/transfers/${transferId}/reversals`)
      ).json()) as Reversal[];
      expect(list.map((item) => item.id)).toEqual([reversal.id]);
    }
    const transfer = (await (
      await gateway.call(coffee.signer, 'GET', `/v1/transfers/${transferId}`)
    ).json()) as {
      status: string;
      steps: { step: string }[];
    };
    expect(transfer.status).toBe('completed');
    expect(transfer.steps.map((step) => step.step)).toEqual(
      expect.arrayContaining([
        `${reversal.id}:requested`,
        `${reversal.id}:reverse`,
        `${reversal.id}:credit`,
        `${reversal.id}:completed`,
      ]),
    );
    const webhooks = await gateway.db
      .selectFrom('webhook_deliveries')
      .select('partner_id')
      .where('event_id', '=', `${reversal.id}:transfer.reversed`)
      .execute();
    expect(webhooks.map((row) => row.partner_id).sort()).toEqual(
      [coffee.partner.id, airline.partner.id].sort(),
    );
  });

  it('reverses in parts that add up to exactly the transfer, and refuses a part past it', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const transferId = await completedTransfer(coffee, airline, member, 1_000n);
    const first = await reversed(await reverse(coffee, transferId, { sourcePoints: '333' }));
    expect(first).toMatchObject({
      takenTargetPoints: '233',
      returnedSourcePoints: '333',
      reversedAmountMinor: '233',
    });
    const tooMuch = await reverse(coffee, transferId, { sourcePoints: '668' });
    expect(tooMuch.status).toBe(422);
    expect(await tooMuch.json()).toMatchObject({
      code: 'reversal_exceeds_transfer',
      errors: [{ field: 'sourcePoints', message: 'at most 667' }],
    });
    const rest = await reversed(await reverse(coffee, transferId));
    expect(rest).toMatchObject({
      takenTargetPoints: '467',
      returnedSourcePoints: '667',
      reversedAmountMinor: '467',
    });
    expect(await alliance.balance(coffee, member)).toBe(1_000n);
    expect(await alliance.balance(airline, member)).toBe(0n);
    const nothingLeft = await reverse(coffee, transferId);
    expect(((await nothingLeft.json()) as { code: string }).code).toBe('reversal_exceeds_transfer');
  });

  it('lets only one of two concurrent reversals through when together they would overshoot', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const transferId = await completedTransfer(coffee, airline, member, 1_000n);
    const answers = await Promise.all([
      reverse(coffee, transferId, { sourcePoints: '600' }),
      reverse(coffee, transferId, { sourcePoints: '600' }),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 422]);
    expect(await alliance.balance(coffee, member)).toBe(600n);
    expect(await alliance.balance(airline, member)).toBe(280n);
    const rows = await gateway.db
      .selectFrom('transfer_reversals')
      .selectAll()
      .where('transfer_id', '=', transferId)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('takes what is left when the member spent the points; the source partner bears the shortfall', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    // 1,000 coffee points become 800 books in the hosted ledger; the member then moves 500 books on.
    const transferId = await completedTransfer(coffee, bookstore, member, 1_000n);
    await completedTransfer(bookstore, coffee, member, 500n);
    expect(await alliance.balance(coffee, member)).toBe(500n);
    const reversal = await reversed(await reverse(coffee, transferId));
    expect(reversal).toMatchObject({
      status: 'completed',
      shortfallPayer: 'source_partner',
      asked: { targetPoints: '800' },
      takenTargetPoints: '300',
      returnedSourcePoints: '375',
      reversedAmountMinor: '300',
    });
    expect(await alliance.balance(bookstore, member)).toBe(0n);
    expect(await alliance.balance(coffee, member)).toBe(875n);
    const flags = await gateway.db
      .selectFrom('finance_flags')
      .selectAll()
      .where('reversal_id', '=', reversal.id)
      .execute();
    expect(flags).toHaveLength(1);
    expect(flags[0]?.reason).toContain(`shortfall of 500 points is borne by ${coffee.partner.id}`);
    expect(await checkLedger(gateway.db)).toEqual({ entriesSum: 0n, accountsOutOfBalance: [] });

    // Finance sees the flag among the open ones and resolves it, once.
    const flag = await openFlagOf(reversal.id);
    expect(flag).toMatchObject({ reversalId: reversal.id, resolution: null });
    const resolve = (reason: string) =>
      gateway.call(gateway.finance, 'POST', `/v1/finance/flags/${flag?.id}/resolution`, { body: { reason } });
    const resolved = await resolve('coffee absorbs it: the member had spent the books');
    expect(resolved.status).toBe(200);
    expect(((await resolved.json()) as { resolution: unknown }).resolution).toMatchObject({
      resolvedBy: 'finance',
    });
    expect((await resolve('another reason')).status).toBe(409);
    expect(await openFlagOf(reversal.id)).toBeUndefined();
  });

  it('returns everything and owes everything when the target partner bears the shortfall', async () => {
    const member = await alliance.member({ airline: 1_000n });
    const transferId = await completedTransfer(airline, bookstore, member, 1_000n);
    await completedTransfer(bookstore, coffee, member, 600n);
    const reversal = await reversed(await reverse(airline, transferId));
    expect(reversal).toMatchObject({
      shortfallPayer: 'target_partner',
      takenTargetPoints: '400',
      returnedSourcePoints: '1000',
      reversedAmountMinor: '1000',
    });
    expect(await alliance.balance(airline, member)).toBe(1_000n);
    const flags = await gateway.db
      .selectFrom('finance_flags')
      .selectAll()
      .where('reversal_id', '=', reversal.id)
      .execute();
    expect(flags[0]?.reason).toContain(`borne by ${bookstore.partner.id}`);
  });

  it('is open to finance, refused to the target partner, and unknown to anyone else', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const transferId = await completedTransfer(coffee, airline, member, 500n);
    const byTarget = await reverse(airline, transferId);
    expect(byTarget.status).toBe(403);
    const byStranger = await reverse(bookstore, transferId);
    expect(byStranger.status).toBe(404);
    const readByStranger = await gateway.call(
      bookstore.signer,
      'GET',
      `/v1/transfers/${transferId}/reversals`,
    );
    expect(readByStranger.status).toBe(404);
    const byFinance = await reversed(await reverse('finance', transferId, { sourcePoints: '100' }));
    expect(byFinance).toMatchObject({
      status: 'completed',
      returnedSourcePoints: '100',
      takenTargetPoints: '70',
    });
    const hidden = await gateway.call(bookstore.signer, 'GET', `/v1/reversals/${byFinance.id}`);
    expect(hidden.status).toBe(404);
  });

  it('refuses a transfer that did not complete, with nothing written', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    alliance.fault(coffee, { operation: 'reserve', mode: 'refuse', code: 'insufficient_points' });
    const failed = (await (await alliance.transfer(coffee, airline, member, 100n)).json()) as {
      id: string;
      status: string;
    };
    expect(failed.status).toBe('failed');
    const response = await reverse(coffee, failed.id);
    expect(response.status).toBe(409);
    expect(((await response.json()) as { code: string }).code).toBe('transfer_not_completed');
    expect(
      await gateway.db
        .selectFrom('transfer_reversals')
        .selectAll()
        .where('transfer_id', '=', failed.id)
        .execute(),
    ).toEqual([]);
  });
});

describe('the webhooks this file’s partners received', () => {
  it('are each as the OpenAPI document describes them', () =>
    expectReceivedAsDocumented([coffee, airline], ['transfer.reversed']));
});
