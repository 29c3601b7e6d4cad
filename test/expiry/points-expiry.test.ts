// Points expiry on the real Temporal server: a hosted programme sets its rule and reminder days,
// the Schedule (triggered) expires lots past their end through the ledger (zero-sum kept) with a
// points.expired webhook, and sends points.expiring once per member account, day of expiry and
// reminder, never again, even when a worker is stopped with notices still undelivered and another
// takes over. A database of this file's own: the run covers every lot in it.
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type RunningReferencePartner, startReferencePartner } from '../../reference-partner/server.ts';
import { createLogger } from '../../runtime/logger.ts';
import { createLedgerAccountIds } from '../../store/hosted-ledger/accounts.ts';
import { creditPoints } from '../../store/hosted-ledger/operations.ts';
import { checkLedger, readBalance } from '../../store/hosted-ledger/reports.ts';
import type { PointsExpirySummary } from '../../workflows/points-expiry.workflow.ts';
import { pointsExpiryScheduleId } from '../../workflows/schedules.ts';
import { createWorker } from '../../workflows/worker-factory.ts';
import { createTestGateway, testGatewayIssuer, testPartnerCallTimeoutMs } from '../support/gateway.ts';
import { expectDocumentedWebhooks } from '../support/webhook-contract.ts';

const gateway = await createTestGateway({ ownDatabase: 'points_expiry' });
const receiver: RunningReferencePartner = await startReferencePartner({
  db: gateway.db,
  schema: `ref_expiry_${Date.now()}`,
  gatewayIssuer: testGatewayIssuer,
  gatewayPublicKeys: () => [gateway.gatewayKey.publicJwk],
});
afterAll(() => receiver.close());
const { partner, signer } = await gateway.onboardPartner('Bookshop', undefined, {
  ledger: 'hosted',
  webhookUrl: `${receiver.url}/webhooks`,
});
receiver.setPartnerId(partner.id);
const programId = partner.programs[0]?.id ?? '';
const accountIds = createLedgerAccountIds();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const day = 86_400_000;

/** A worker of this file's own on the gateway's task queue, with the expiry Schedule; stopped by the caller. */
async function startWorker() {
  const running = await createWorker({
    db: gateway.db,
    address: inject('temporalAddress'),
    namespace: 'default',
    taskQueue: gateway.taskQueue,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'error', 'test-worker'),
    gatewayIssuer: testGatewayIssuer,
    gatewayKey: gateway.gatewayKey,
    partnerCallTimeoutMs: testPartnerCallTimeoutMs,
    pointsExpiry: { everySeconds: 3_600, deliveryAttemptsMax: 50 },
  });
  const run = running.worker.run();
  return async () => {
    running.worker.shutdown();
    await run;
    await running.connection.close();
    await running.adapters.close();
  };
}

/** Triggers the expiry Schedule and waits for that run's summary. */
async function runExpiry(): Promise<PointsExpirySummary> {
  const schedule = gateway.temporal.schedule.getHandle(pointsExpiryScheduleId(gateway.taskQueue));
  const runIds = async () =>
    (await schedule.describe()).info.recentActions.map((taken) => taken.action.workflow);
  const before = new Set((await runIds()).map((run) => run.firstExecutionRunId));
  await schedule.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
  for (let attempt = 0; attempt < 150; attempt += 1) {
    const fresh = (await runIds()).find((run) => !before.has(run.firstExecutionRunId));
    if (fresh) {
      return gateway.temporal.workflow
        .getHandle(fresh.workflowId, fresh.firstExecutionRunId)
        .result() as Promise<PointsExpirySummary>;
    }
    await sleep(100);
  }
  throw new Error('the expiry Schedule started no run in 15 s');
}

async function seed(
  accountRef: string,
  points: bigint,
  expiresAt: Date | null,
  inProgram = programId,
): Promise<void> {
  const outcome = await creditPoints(gateway.db, accountIds, {
    programId: inProgram,
    key: `seed:${accountRef}:${expiresAt?.toISOString() ?? 'never'}`,
    accountRef,
    points,
    reason: 'seed',
    carriedExpiry: [{ points, expiresAt }],
  });
  expect(outcome.outcome).toBe('done');
}

type Received = { id: string; type: string; data: Record<string, unknown> };
const received = () => receiver.webhooks as Received[];

describe('points expiry', () => {
  it('lets the programme set its rule and reminder days, and credits take the rule', async () => {
    const set = await gateway.call(signer, 'POST', `/v1/programs/${programId}/points-expiry`, {
      body: { rule: { kind: 'months_after_earning', months: 12 }, reminderDaysAhead: [7, 30, 7] },
    });
    expect(set.status).toBe(200);
    const settings = {
      programId,
      rule: { kind: 'months_after_earning', months: 12 },
      reminderDaysAhead: [30, 7],
    };
    expect(await set.json()).toEqual(settings);
    const read = await gateway.call(signer, 'GET', `/v1/programs/${programId}/points-expiry`);
    expect(await read.json()).toEqual(settings);

    const before = Date.now();
    const credited = await gateway.call(signer, 'POST', `/v1/programs/${programId}/accounts/earner/credits`, {
      body: { points: '40', reason: 'a purchase' },
    });
    expect(credited.status).toBe(201);
    const balance = (await credited.json()) as { expiryProfile: { points: string; expiresAt: string }[] };
    expect(balance.expiryProfile).toHaveLength(1);
    const expiresAt = new Date(balance.expiryProfile[0]?.expiresAt ?? 0);
    expect(expiresAt.getTime()).toBeGreaterThan(before + 364 * day);
    expect(expiresAt.getTime()).toBeLessThan(Date.now() + 367 * day);
  });

  it('expires lots at their end through the ledger, with points.expired, and reminds each once across a worker restart', async () => {
    const soon = new Date(Date.now() + 1_500);
    await seed('expiring', 200n, soon);
    await seed('expiring', 50n, null);
    const inTwentyDays = new Date(Date.now() + 20 * day);
    const inThreeDays = new Date(Date.now() + 3 * day);
    await seed('reminded', 100n, inTwentyDays);
    await seed('reminded', 30n, inThreeDays);
    await sleep(Math.max(0, soon.getTime() - Date.now() + 200));

    // The first worker queues everything but cannot deliver: the partner is down.
    receiver.faults.add({ operation: 'webhook', mode: 'fail_before', count: 1_000, delayMs: 0, code: 'x' });
    const stopFirst = await startWorker();
    const first = await runExpiry();
    expect(first).toMatchObject({ expiredLots: 1, expiredPoints: '200', remindersQueued: 2, delivered: 0 });
    await stopFirst();
    expect(received()).toEqual([]);

    // Another worker takes over once the partner is back: each notice is delivered once.
    receiver.faults.clear();
    const stopSecond = await startWorker();
    try {
      const second = await runExpiry();
      expect(second).toMatchObject({ expiredLots: 0, remindersQueued: 0, delivered: 3 });
      const third = await runExpiry();
      expect(third).toMatchObject({ expiredLots: 0, remindersQueued: 0, delivered: 0 });
    } finally {
      await stopSecond();
    }

    const byType = (type: string) => received().filter((webhook) => webhook.type === type);
    expect(byType('points.expired')).toEqual([
      expect.objectContaining({
        data: expect.objectContaining({
          programId,
          accountRef: 'expiring',
          expiredPoints: '200',
          lots: [expect.objectContaining({ points: '200', expiresAt: soon.toISOString() })],
        }),
      }),
    ]);
    const reminders = byType('points.expiring').map((webhook) => webhook.data);
    expect(reminders).toHaveLength(2);
    expect(reminders).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ accountRef: 'reminded', points: '100', daysAhead: 30 }),
        expect.objectContaining({ accountRef: 'reminded', points: '30', daysAhead: 7 }),
      ]),
    );
    expect(new Set(received().map((webhook) => webhook.id)).size).toBe(received().length);

    // The 50 points seeded as never-expiring took the programme's 12-month rule.
    expect(await readBalance(gateway.db, programId, 'expiring')).toMatchObject({
      availablePoints: 50n,
      expiryProfile: [{ points: 50n, expiresAt: expect.any(Date) }],
    });
    expect(await checkLedger(gateway.db)).toEqual({ entriesSum: 0n, accountsOutOfBalance: [] });
  });
});

describe('expiry notices to a partner that is down', () => {
  it('cost it one call a run, and every other partner still gets its own', async () => {
    const teaReceiver = await startReferencePartner({
      db: gateway.db,
      schema: `ref_expiry_tea_${Date.now()}`,
      gatewayIssuer: testGatewayIssuer,
      gatewayPublicKeys: () => [gateway.gatewayKey.publicJwk],
    });
    try {
      const tea = await gateway.onboardPartner('Teashop', undefined, {
        ledger: 'hosted',
        webhookUrl: `${teaReceiver.url}/webhooks`,
      });
      teaReceiver.setPartnerId(tea.partner.id);
      const soon = new Date(Date.now() + 1_000);
      await seed('down-first', 10n, soon);
      await seed('down-second', 10n, soon);
      await seed('up', 10n, soon, tea.partner.programs[0]?.id);
      await sleep(Math.max(0, soon.getTime() - Date.now() + 200));

      const before = received().length;
      receiver.faults.add({ operation: 'webhook', mode: 'fail_before', count: 1_000, delayMs: 0, code: 'x' });
      const stop = await startWorker();
      try {
        const first = await runExpiry();
        expect(first).toMatchObject({ expiredLots: 3, delivered: 1 });
        expect(teaReceiver.webhooks).toEqual([expect.objectContaining({ type: 'points.expired' })]);
        const attempts = await gateway.db
          .selectFrom('webhook_deliveries')
          .select(['attempts', 'status'])
          .where('partner_id', '=', partner.id)
          .where('status', '=', 'pending')
          .execute();
        expect(attempts.map((row) => row.attempts).sort()).toEqual([0, 1]);

        receiver.faults.clear();
        expect(await runExpiry()).toMatchObject({ expiredLots: 0, delivered: 2 });
        expect(received().length).toBe(before + 2);
      } finally {
        await stop();
      }
    } finally {
      await teaReceiver.close();
    }
  });
});

describe('the webhooks the programme’s partner received', () => {
  it('are each as the OpenAPI document describes them', () => {
    expect([...expectDocumentedWebhooks(received())]).toEqual(
      expect.arrayContaining(['points.expired', 'points.expiring']),
    );
  });
});
