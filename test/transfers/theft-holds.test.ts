// Theft holds (积分盗刷): a transfer whose member's recent activity reaches its source programme's
// threshold is created held, moving nothing, until the programme's partner decides. Goal: a drain of
// the whole balance to a new link and a burst of transfers are held and say why; a released one
// starts and completes, each side moving once; a cancelled one and one nobody decided fail with
// nothing moved; the stranded-transfer sweep leaves a hold alone until it expires, then fails it;
// only the source programme's partner decides; a release checks again what the transfer's creation
// checked (the accounts it names still linked, neither partner suspended). Method: the test alliance (reference partners over
// HTTP, the hosted bookstore whose balances the gateway keeps, Temporal), each programme's policy
// set through the API, and the sweep's Schedule triggered by hand.
import { describe, expect, it } from 'vitest';
import { strandedTransfersScheduleId } from '../../workflows/schedules.ts';
import { type AlliancePartner, createAlliance, type Member } from '../support/alliance.ts';
import { agreeRate } from '../support/exchange.ts';
import { expectReceivedAsDocumented } from '../support/webhook-contract.ts';

const untouchedSeconds = 1;
// A database of its own: its sweep would otherwise drive other files' stuck transfers.
const alliance = await createAlliance({
  ownDatabase: 'theft_holds',
  strandedTransfers: { untouchedSeconds },
});
const { gateway, coffee, airline, bookstore } = alliance;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface TransferView {
  id: string;
  status: string;
  failure: { code: string } | null;
  hold: {
    status: string;
    score: number;
    threshold: number;
    signals: { signal: string; weight: number; detail: string }[];
    decidedBy: string | null;
  } | null;
  steps: { step: string; outcome: string }[];
}

async function setPolicy(owner: AlliancePartner, policy: Record<string, unknown> | null): Promise<void> {
  const response = await gateway.call(
    owner.signer,
    'POST',
    `/v1/programs/${owner.programId}/theft-hold-policy`,
    {
      body: { policy },
    },
  );
  expect(response.status, await response.clone().text()).toBe(200);
}

/** Drains held out of the bookstore, whose balances the gateway keeps: 90 % or more to a link under an hour old. */
await setPolicy(bookstore, {
  threshold: 50,
  holdExpirySeconds: 3_600,
  signals: { balanceDrain: { weight: 60, shareBasisPoints: 9_000, newLinkWithinSeconds: 3_600 } },
});
/** A third transfer within ten minutes out of the coffee shop is held; holds expire after 5 s here. */
const holdExpirySeconds = 5;
await setPolicy(coffee, {
  threshold: 40,
  holdExpirySeconds,
  signals: { transferBurst: { weight: 40, transfers: 3, withinSeconds: 600 } },
});

async function transfer(from: AlliancePartner, to: AlliancePartner, member: Member, points: bigint) {
  const response = await alliance.transfer(from, to, member, points);
  return { status: response.status, body: (await response.json()) as TransferView };
}

async function decide(who: AlliancePartner, transferId: string, decision: 'release' | 'cancel') {
  const response = await gateway.call(who.signer, 'POST', `/v1/transfers/${transferId}/hold/${decision}`);
  return { status: response.status, body: (await response.json()) as TransferView & { code?: string } };
}

/** A member who moved points out of the coffee shop twice in the last minutes, and is held on the third. */
async function heldByBurst(): Promise<{ member: Member; transfer: TransferView }> {
  const member = await alliance.member({ coffee: 5_000n });
  for (const _ of [1, 2])
    expect((await transfer(coffee, airline, member, 100n)).body.status).toBe('completed');
  const third = await transfer(coffee, airline, member, 1_000n);
  expect(third.status).toBe(202);
  expect(third.body).toMatchObject({ status: 'held', hold: { status: 'held', score: 40, threshold: 40 } });
  expect(third.body.hold?.signals).toEqual([
    { signal: 'transfer_burst', weight: 40, detail: '3 transfers in 600 s' },
  ]);
  return { member, transfer: third.body };
}

async function waitForStatus(transferId: string, status: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const row = await gateway.db
      .selectFrom('transfers')
      .select('status')
      .where('id', '=', transferId)
      .executeTakeFirst();
    if (row?.status === status) return;
    await sleep(100);
  }
  throw new Error(`transfer ${transferId} did not become ${status}`);
}

/** The `transfer.failed` webhooks a partner has received for the transfer, half a second after the first (or 10 s). */
async function failedWebhooksAt(partner: AlliancePartner, transferId: string): Promise<unknown[]> {
  const received = () =>
    (partner.server?.webhooks ?? []).filter((webhook) => {
      const { type, data } = webhook as { type: string; data: { transferId?: string } };
      return type === 'transfer.failed' && data.transferId === transferId;
    });
  for (let attempt = 0; attempt < 100 && received().length === 0; attempt += 1) await sleep(100);
  // A second delivery of the same event would come within moments of the first.
  await sleep(500);
  return received();
}

async function sweepsOf(transferId: string): Promise<unknown[]> {
  return gateway.db.selectFrom('sweep_actions').selectAll().where('transfer_id', '=', transferId).execute();
}

describe('theft holds', () => {
  it('holds a drain of the whole balance to a new link, moving nothing; released, it completes', async () => {
    const member = await alliance.member({ bookstore: 1_000n });
    const held = await transfer(bookstore, coffee, member, 950n);
    expect(held.status).toBe(202);
    expect(held.body).toMatchObject({
      status: 'held',
      failure: null,
      hold: { status: 'held', score: 60, threshold: 50 },
    });
    expect(held.body.hold?.signals.map((signal) => signal.signal)).toEqual(['balance_drain']);
    expect(held.body.steps.map((step) => step.step)).toEqual(['created', 'held']);
    expect(await alliance.balance(bookstore, member)).toBe(1_000n);

    // The target's partner, or the requester if it is not the source's, does not decide.
    expect((await decide(coffee, held.body.id, 'release')).status).toBe(403);
    const listed = await gateway.call(bookstore.signer, 'GET', '/v1/transfer-holds?status=held');
    const { items } = (await listed.json()) as { items: { id: string }[] };
    expect(items.map((item) => item.id)).toContain(held.body.id);

    const released = await decide(bookstore, held.body.id, 'release');
    expect(released.status).toBe(200);
    expect(released.body.hold).toMatchObject({ status: 'released', decidedBy: bookstore.partner.id });
    const settled = await alliance.settled(held.body.id);
    expect(settled.status).toBe('completed');
    expect(await alliance.balance(bookstore, member)).toBe(50n);
    expect(await alliance.balance(coffee, member)).toBe(950n);
    // A repeat is harmless; a cancel after the release is refused.
    expect((await decide(bookstore, held.body.id, 'release')).status).toBe(200);
    expect((await decide(bookstore, held.body.id, 'cancel')).body.code).toBe('transfer_not_held');
    expect(await alliance.balance(coffee, member)).toBe(950n);
  });

  it('holds the third transfer of a burst; cancelled, it fails having moved nothing', async () => {
    const { member, transfer: held } = await heldByBurst();
    const cancelled = await decide(coffee, held.id, 'cancel');
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({
      status: 'failed',
      failure: { code: 'theft_hold_cancelled' },
      hold: { status: 'cancelled' },
    });
    expect((await decide(coffee, held.id, 'cancel')).status).toBe(200);
    expect((await decide(coffee, held.id, 'release')).body.code).toBe('transfer_not_held');
    expect(await alliance.balance(coffee, member)).toBe(4_800n);
    expect(await alliance.balance(airline, member)).toBe(140n);
    // The requester was answered `held`: the end comes to both partners as a webhook, once.
    for (const partner of [coffee, airline])
      expect(await failedWebhooksAt(partner, held.id)).toMatchObject([
        { data: { status: 'failed', failureCode: 'theft_hold_cancelled' } },
      ]);
  });

  it('leaves a hold nobody acts on to its partner, then expires it: the transfer fails, nothing moved', async () => {
    const { member, transfer: held } = await heldByBurst();
    // Past the sweep's age for stuck transfers, but not past the hold's expiry: a held transfer is
    // not stuck, so the sweep neither starts nor records it.
    await sleep(untouchedSeconds * 1000 + 200);
    await gateway.temporal.schedule.getHandle(strandedTransfersScheduleId(gateway.taskQueue)).trigger();
    await sleep(1_000);
    expect(
      (
        await gateway.db
          .selectFrom('transfers')
          .select('status')
          .where('id', '=', held.id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('held');
    expect(await sweepsOf(held.id)).toEqual([]);

    await sleep(holdExpirySeconds * 1000);
    expect((await decide(coffee, held.id, 'release')).body.code).toBe('transfer_not_held');
    await gateway.temporal.schedule.getHandle(strandedTransfersScheduleId(gateway.taskQueue)).trigger();
    await waitForStatus(held.id, 'failed');
    const read = await gateway.call(coffee.signer, 'GET', `/v1/transfers/${held.id}`);
    expect((await read.json()) as TransferView).toMatchObject({
      status: 'failed',
      failure: { code: 'theft_hold_expired' },
      hold: { status: 'expired', decidedBy: null },
    });
    expect(await sweepsOf(held.id)).toEqual([]);
    expect(await alliance.balance(coffee, member)).toBe(4_800n);
    expect(await alliance.balance(airline, member)).toBe(140n);
    for (const partner of [coffee, airline])
      expect(await failedWebhooksAt(partner, held.id)).toMatchObject([
        { data: { status: 'failed', failureCode: 'theft_hold_expired' } },
      ]);
  });

  it('holds nothing where the programme has no policy', async () => {
    const member = await alliance.member({ airline: 5_000n });
    for (const _ of [1, 2, 3]) {
      expect((await transfer(airline, bookstore, member, 4_000n / 3n)).body).toMatchObject({
        status: 'completed',
        hold: null,
      });
    }
  });

  it('refuses a release that a revocation of the new link committed beside: the release waits for it and sees it', async () => {
    const member = await alliance.member({ bookstore: 1_000n });
    const held = await transfer(bookstore, coffee, member, 950n);
    expect(held.body.status).toBe('held');
    let release: ReturnType<typeof decide> | undefined;
    // The revocation holds its row until it commits; the release asked meanwhile must wait for it.
    await gateway.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('member_links')
        .set({ revoked_at: new Date() })
        .where('member_id', '=', member.memberId)
        .where('program_id', '=', coffee.programId)
        .execute();
      release = decide(bookstore, held.body.id, 'release');
      await sleep(500);
    });
    const released = await release;
    expect(released?.status).toBe(422);
    expect(released?.body.code).toBe('member_link_missing');
    expect(await alliance.balance(coffee, member)).toBe(0n);
  });

  it('refuses to release a hold priced at an agreement version since replaced: the member quotes again', async () => {
    const member = await alliance.member({ bookstore: 1_000n });
    const held = await transfer(bookstore, coffee, member, 950n);
    expect(held.body.status).toBe('held');
    // The coffee shop now takes the bookstore's points at another price.
    await agreeRate(gateway, bookstore, coffee, {
      fromPoints: '10',
      toPoints: '10',
      sourcePointsMin: '1',
      sourcePointsMax: '1000000',
      memberDailyCapSourcePoints: '10000000',
      settlement: { amountMinor: '2', perTargetPoints: '1', currency: 'CNY' },
    });
    const released = await decide(bookstore, held.body.id, 'release');
    expect(released.status).toBe(409);
    expect(released.body.code).toBe('hold_terms_changed');
    expect((await decide(bookstore, held.body.id, 'cancel')).body.status).toBe('failed');
    expect(await alliance.balance(bookstore, member)).toBe(1_000n);
    expect(await alliance.balance(coffee, member)).toBe(0n);
  });

  it('refuses to release a hold whose account the member unlinked, even with another linked since', async () => {
    const member = await alliance.member({ bookstore: 1_000n });
    const held = await transfer(bookstore, coffee, member, 950n);
    expect(held.body.status).toBe('held');
    // The member says the new coffee account is not theirs, and links their own.
    const links = await gateway.call(coffee.signer, 'GET', `/v1/members/${member.memberId}/links`);
    const [link] = ((await links.json()) as { items: { id: string }[] }).items;
    const revoked = await gateway.call(coffee.signer, 'POST', `/v1/member-links/${link?.id}/revoke`, {
      body: { reason: 'not the member’s account' },
    });
    expect(revoked.status).toBe(200);
    const relinked = await gateway.call(coffee.signer, 'POST', '/v1/member-links', {
      body: {
        memberId: member.memberId,
        programId: coffee.programId,
        accountRef: `${member.accounts.coffee}-own`,
        consent: { grantedAt: new Date().toISOString(), scopes: ['transfers'], reference: 'own account' },
      },
    });
    expect(relinked.status).toBe(201);
    // The held transfer would still credit the account it named: it is not released.
    const released = await decide(bookstore, held.body.id, 'release');
    expect(released.status).toBe(422);
    expect(released.body.code).toBe('member_link_missing');
    expect((await decide(bookstore, held.body.id, 'cancel')).body.status).toBe('failed');
    expect(await alliance.balance(bookstore, member)).toBe(1_000n);
  });

  it('refuses to release a hold while a partner of its transfer is suspended', async () => {
    const { member, transfer: held } = await heldByBurst();
    const suspend = (action: 'suspend' | 'resume') =>
      gateway.call(gateway.operator, 'POST', `/v1/operator/partners/${airline.partner.id}/${action}`);
    expect((await suspend('suspend')).status).toBe(200);
    try {
      const released = await decide(coffee, held.id, 'release');
      expect(released.status).toBe(422);
      expect(released.body.code).toBe('counterparty_suspended');
    } finally {
      expect((await suspend('resume')).status).toBe(200);
    }
    expect((await decide(coffee, held.id, 'cancel')).body.status).toBe('failed');
    expect(await alliance.balance(coffee, member)).toBe(4_800n);
    expect(await alliance.balance(airline, member)).toBe(140n);
  });
});

describe('the webhooks this file’s partners received', () => {
  it('are each as the OpenAPI document describes them', () =>
    expectReceivedAsDocumented([coffee, airline], ['transfer.completed', 'transfer.failed']));
});
