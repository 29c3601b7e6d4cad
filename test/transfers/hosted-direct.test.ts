// A transfer between two hosted programmes settles in the request's own transaction: no workflow,
// the same ledger records, steps, obligation and webhook rows a workflow-driven transfer leaves.
// Real PostgreSQL and Temporal (asked whether a workflow exists), through the signed API.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { createLedgerAccountIds } from '../../store/hosted-ledger/accounts.ts';
import { creditPoints } from '../../store/hosted-ledger/operations.ts';
import { checkLedger, readBalance } from '../../store/hosted-ledger/reports.ts';
import { strandedTransfersScheduleId } from '../../workflows/schedules.ts';
import { type AlliancePartner, createAlliance, type Member } from '../support/alliance.ts';
import { agreeRate } from '../support/exchange.ts';
import { createTestGateway } from '../support/gateway.ts';

// A database of its own, and the stranded-transfer sweep, which drains the webhook outbox.
const alliance = await createAlliance({
  ownDatabase: 'hosted_direct',
  strandedTransfers: { untouchedSeconds: 1 },
});
const { gateway, bookstore } = alliance;
// The same alliance behind a gateway whose Temporal is down: a real client of a port nobody listens on.
const downGateway = await createTestGateway({
  database: gateway.db,
  transferClient: new Client({
    connection: Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 }),
  }),
});
const accountIds = createLedgerAccountIds();
// The cinema's webhook endpoint: takes every event (the signature is the partner's to check).
const received: string[] = [];
const endpoint = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => {
    body += chunk;
  });
  request.on('end', () => {
    received.push(body);
    response.writeHead(200).end();
  });
});
await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
afterAll(() => new Promise<void>((resolve) => endpoint.close(() => resolve())));
// A second hosted programme, taking webhooks.
const onboarded = await gateway.onboardPartner('Cinema', undefined, {
  ledger: 'hosted',
  webhookUrl: `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/webhooks`,
});
const cinema: AlliancePartner = {
  ...onboarded,
  server: null,
  programId: onboarded.partner.programs[0]?.id ?? '',
};
const agreement = await agreeRate(gateway, bookstore, cinema, {
  fromPoints: '10',
  toPoints: '5',
  sourcePointsMin: '1',
  sourcePointsMax: '1000000',
  memberDailyCapSourcePoints: '10000000',
  minRemainingLifeDays: 30,
});
const day = 86_400_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const inDays = (days: number) => new Date(Math.floor(Date.now() / 1_000) * 1_000 + days * day);

interface TransferView {
  id: string;
  status: string;
  failure: { code: string } | null;
  steps: { step: string; outcome: string }[];
}

/** A member with books in lots of the given expiries, linked to the cinema too. */
async function memberWithBooks(lots: { points: bigint; expiresAt: Date | null }[]) {
  const member = await alliance.member({});
  const cinemaRef = `cin-${randomUUID()}`;
  const linked = await gateway.call(cinema.signer, 'POST', '/v1/member-links', {
    body: {
      memberId: member.memberId,
      programId: cinema.programId,
      accountRef: cinemaRef,
      consent: { grantedAt: new Date().toISOString(), scopes: ['transfers'], reference: 'test' },
    },
  });
  expect(linked.status).toBe(201);
  for (const [index, lot] of lots.entries())
    await creditPoints(gateway.db, accountIds, {
      programId: bookstore.programId,
      key: `seed-${member.accounts.bookstore}-${index}`,
      accountRef: member.accounts.bookstore,
      points: lot.points,
      reason: 'test seed',
      carriedExpiry: [lot],
    });
  return { member, cinemaRef };
}

const transfer = (member: Member, points: bigint, key?: string) =>
  gateway.call(bookstore.signer, 'POST', '/v1/transfers', {
    body: {
      memberId: member.memberId,
      sourceProgramId: bookstore.programId,
      targetProgramId: cinema.programId,
      sourcePoints: String(points),
    },
    ...(key ? { idempotencyKey: key } : {}),
  });

async function noWorkflow(transferId: string): Promise<void> {
  await expect(gateway.temporal.workflow.getHandle(transferId).describe()).rejects.toBeInstanceOf(
    WorkflowNotFoundError,
  );
}

const balanceOf = async (programId: string, accountRef: string) =>
  (await readBalance(gateway.db, programId, accountRef))?.availablePoints ?? 0n;

const ledgerRows = (transferId: string) =>
  gateway.db
    .selectFrom('ledger_transfers')
    .select(['key', 'operation', 'status'])
    .where('key', 'like', `${transferId}:%`)
    .orderBy('id')
    .execute();

describe('a transfer between two hosted programmes', () => {
  it('completes in the request itself: lots burnt soonest first, the credit carrying their expiry, obligation and webhooks written', async () => {
    const soon = inDays(10);
    const later = inDays(200);
    const { member, cinemaRef } = await memberWithBooks([
      { points: 500n, expiresAt: later },
      { points: 300n, expiresAt: soon },
      { points: 400n, expiresAt: null },
    ]);
    const response = await transfer(member, 600n);
    expect(response.status).toBe(201);
    const view = (await response.json()) as TransferView;
    expect(view.status).toBe('completed');
    expect(view.steps.map((step) => `${step.step}:${step.outcome}`)).toEqual([
      'created:done',
      'reserve:done',
      'credit:done',
      'post:done',
      'completed:done',
    ]);
    await noWorkflow(view.id);

    expect(await balanceOf(bookstore.programId, member.accounts.bookstore)).toBe(600n);
    const source = await readBalance(gateway.db, bookstore.programId, member.accounts.bookstore);
    // The 300 expiring soonest went first, then 300 of the later 500; the never-expiring 400 are untouched.
    expect(source?.expiryProfile).toEqual([
      { points: 200n, expiresAt: later },
      { points: 400n, expiresAt: null },
    ]);
    const target = await readBalance(gateway.db, cinema.programId, cinemaRef);
    expect(target?.availablePoints).toBe(300n);
    // 10 books → 5 tickets: 150 from the soon lot (lifted to the agreement's 30 days), 150 from the later one.
    const floor = new Date((await transferCreatedAt(view.id)).getTime() + 30 * day);
    expect(target?.expiryProfile).toEqual([
      { points: 150n, expiresAt: floor },
      { points: 150n, expiresAt: later },
    ]);

    expect(await ledgerRows(view.id)).toEqual([
      { key: `${view.id}:reserve`, operation: 'reserve', status: 'post_done' },
      { key: `${view.id}:credit`, operation: 'credit', status: 'posted' },
      { key: `${view.id}:post`, operation: 'post', status: 'posted' },
    ]);
    const obligations = await gateway.db
      .selectFrom('settlement_obligations')
      .select(['kind', 'debtor_partner_id', 'creditor_partner_id', 'amount_minor'])
      .where('transfer_id', '=', view.id)
      .execute();
    expect(obligations).toEqual([
      {
        kind: 'transfer',
        debtor_partner_id: bookstore.partner.id,
        creditor_partner_id: cinema.partner.id,
        amount_minor: 300n,
      },
    ]);
    const webhooks = await gateway.db
      .selectFrom('webhook_deliveries')
      .select(['partner_id', 'event_type'])
      .where('event_id', '=', `${view.id}:transfer.completed`)
      .execute();
    expect(webhooks).toEqual([{ partner_id: cinema.partner.id, event_type: 'transfer.completed' }]);
    const transferRow = await gateway.db
      .selectFrom('transfers')
      .select(['status', 'reservation_end'])
      .where('id', '=', view.id)
      .executeTakeFirstOrThrow();
    expect(transferRow).toEqual({ status: 'completed', reservation_end: 'posted' });
    expect(await checkLedger(gateway.db)).toEqual({ entriesSum: 0n, accountsOutOfBalance: [] });
    expect(agreement.version).toBe(1);
  });

  it('answers a refusal as before (failed, insufficient_points), having moved nothing', async () => {
    const { member, cinemaRef } = await memberWithBooks([{ points: 100n, expiresAt: null }]);
    const response = await transfer(member, 500n);
    expect(response.status).toBe(201);
    const view = (await response.json()) as TransferView;
    expect(view).toMatchObject({ status: 'failed', failure: { code: 'insufficient_points' } });
    await noWorkflow(view.id);
    expect(await balanceOf(bookstore.programId, member.accounts.bookstore)).toBe(100n);
    expect(await balanceOf(cinema.programId, cinemaRef)).toBe(0n);
    expect(await ledgerRows(view.id)).toEqual([]);
    const obligations = await gateway.db
      .selectFrom('settlement_obligations')
      .select('id')
      .where('transfer_id', '=', view.id)
      .execute();
    expect(obligations).toEqual([]);
    expect(await checkLedger(gateway.db)).toEqual({ entriesSum: 0n, accountsOutOfBalance: [] });
  });

  it('answers a retry of the same key with the same transfer, moving nothing twice', async () => {
    const { member, cinemaRef } = await memberWithBooks([{ points: 1_000n, expiresAt: null }]);
    const key = `direct-${randomUUID()}`;
    const first = (await (await transfer(member, 400n, key)).json()) as TransferView;
    const again = await transfer(member, 400n, key);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(((await again.json()) as TransferView).id).toBe(first.id);
    // A run whose process died after the commit, before the reply was stored: the key is bound.
    await gateway.db
      .updateTable('idempotency_records')
      .set({ status: 'in_progress', response_status: null, locked_until: new Date(0) })
      .where('key', '=', key)
      .execute();
    const afterCrash = await transfer(member, 400n, key);
    expect(afterCrash.status).toBe(201);
    expect(((await afterCrash.json()) as TransferView).id).toBe(first.id);
    expect(await balanceOf(bookstore.programId, member.accounts.bookstore)).toBe(600n);
    expect(await balanceOf(cinema.programId, cinemaRef)).toBe(200n);
    await noWorkflow(first.id);
  });

  it('never overdraws an account under concurrent requests', async () => {
    const { member, cinemaRef } = await memberWithBooks([{ points: 1_000n, expiresAt: null }]);
    const answers = await Promise.all(
      Array.from({ length: 8 }, async () => (await (await transfer(member, 300n)).json()) as TransferView),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual(['completed', 'completed', 'completed', ...Array(5).fill('failed')]);
    expect(await balanceOf(bookstore.programId, member.accounts.bookstore)).toBe(100n);
    expect(await balanceOf(cinema.programId, cinemaRef)).toBe(450n);
    expect(await checkLedger(gateway.db)).toEqual({ entriesSum: 0n, accountsOutOfBalance: [] });
  });

  const delivery = (transferId: string) =>
    gateway.db
      .selectFrom('webhook_deliveries')
      .select('status')
      .where('event_id', '=', `${transferId}:transfer.completed`)
      .executeTakeFirstOrThrow();
  async function delivered(transferId: string): Promise<void> {
    for (let attempt = 0; attempt < 100 && (await delivery(transferId)).status === 'pending'; attempt += 1)
      await sleep(200);
    expect(await delivery(transferId)).toEqual({ status: 'delivered' });
    expect(received.some((body) => body.includes(transferId))).toBe(true);
  }

  it('has its webhooks delivered right after the answer, without a transfer workflow or the sweep', async () => {
    const { member } = await memberWithBooks([{ points: 1_000n, expiresAt: null }]);
    const view = (await (await transfer(member, 100n)).json()) as TransferView;
    expect(view.status).toBe('completed');
    // The sweep runs hourly here and is not triggered: the gateway started the delivery itself.
    await delivered(view.id);
    await noWorkflow(view.id);
  }, 60_000);

  it('has its webhooks delivered from the outbox by the sweep when Temporal was down at the answer', async () => {
    const { member } = await memberWithBooks([{ points: 1_000n, expiresAt: null }]);
    const response = await downGateway.call(bookstore.signer, 'POST', '/v1/transfers', {
      body: {
        memberId: member.memberId,
        sourceProgramId: bookstore.programId,
        targetProgramId: cinema.programId,
        sourcePoints: '100',
      },
    });
    const view = (await response.json()) as TransferView;
    expect(view.status).toBe('completed');
    await sleep(1_200);
    expect(await delivery(view.id)).toEqual({ status: 'pending' });
    await gateway.temporal.schedule.getHandle(strandedTransfersScheduleId(gateway.taskQueue)).trigger();
    await delivered(view.id);
    await noWorkflow(view.id);
  }, 60_000);

  it('can be reversed like any other transfer', async () => {
    const { member, cinemaRef } = await memberWithBooks([{ points: 1_000n, expiresAt: null }]);
    const view = (await (await transfer(member, 400n)).json()) as TransferView;
    expect(view.status).toBe('completed');
    const response = await gateway.call(bookstore.signer, 'POST', `/v1/transfers/${view.id}/reversals`, {
      body: { reason: 'purchase refunded' },
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ status: 'completed', takenTargetPoints: '200' });
    expect(await balanceOf(bookstore.programId, member.accounts.bookstore)).toBe(1_000n);
    expect(await balanceOf(cinema.programId, cinemaRef)).toBe(0n);
    expect(await checkLedger(gateway.db)).toEqual({ entriesSum: 0n, accountsOutOfBalance: [] });
  });

  it('owes the alliance its fee beside the target partner when the source partner pays it', async () => {
    const onboardedMuseum = await gateway.onboardPartner('Museum', undefined, { ledger: 'hosted' });
    const museum: AlliancePartner = {
      ...onboardedMuseum,
      server: null,
      programId: onboardedMuseum.partner.programs[0]?.id ?? '',
    };
    await agreeRate(gateway, bookstore, museum, {
      fromPoints: '10',
      toPoints: '5',
      sourcePointsMin: '1',
      sourcePointsMax: '1000000',
      memberDailyCapSourcePoints: '10000000',
      feeBasisPoints: 250,
      feePayer: 'source_partner',
      settlement: { amountMinor: '3', perTargetPoints: '1', currency: 'CNY' },
    });
    const { member } = await memberWithBooks([{ points: 1_000n, expiresAt: null }]);
    const linked = await gateway.call(museum.signer, 'POST', '/v1/member-links', {
      body: {
        memberId: member.memberId,
        programId: museum.programId,
        accountRef: `mus-${randomUUID()}`,
        consent: { grantedAt: new Date().toISOString(), scopes: ['transfers'], reference: 'test' },
      },
    });
    expect(linked.status).toBe(201);
    const response = await gateway.call(bookstore.signer, 'POST', '/v1/transfers', {
      body: {
        memberId: member.memberId,
        sourceProgramId: bookstore.programId,
        targetProgramId: museum.programId,
        sourcePoints: '400',
      },
    });
    expect(response.status).toBe(201);
    const view = (await response.json()) as TransferView;
    expect(view.status).toBe('completed');
    // 400 books → 200 museum points, settled at 3 fen each (600), and 2.5 % of that to the alliance (15).
    const obligations = await gateway.db
      .selectFrom('settlement_obligations')
      .select(['kind', 'debtor_partner_id', 'creditor_partner_id', 'amount_minor', 'currency'])
      .where('transfer_id', '=', view.id)
      .orderBy('kind', 'desc')
      .execute();
    expect(obligations).toEqual([
      {
        kind: 'transfer',
        debtor_partner_id: bookstore.partner.id,
        creditor_partner_id: museum.partner.id,
        amount_minor: 600n,
        currency: 'CNY',
      },
      {
        kind: 'alliance_fee',
        debtor_partner_id: bookstore.partner.id,
        creditor_partner_id: null,
        amount_minor: 15n,
        currency: 'CNY',
      },
    ]);
    expect(view.steps.at(-1)).toMatchObject({ step: 'completed', outcome: 'done' });
  });
});

async function transferCreatedAt(transferId: string): Promise<Date> {
  const row = await gateway.db
    .selectFrom('transfers')
    .select('created_at')
    .where('id', '=', transferId)
    .executeTakeFirstOrThrow();
  return row.created_at;
}
