// The conservation monitor over a real alliance. Goal: after real transfers (reference partners and
// the hosted ledger) every check passes and no alert is sent; each deliberately broken row (a ledger
// entry without its counterpart, a completed transfer's obligation deleted, an obligation whose
// transfer is no longer completed, a reservation left pending past its expiry) makes the next check
// fail naming that finding and its row, shows in the operator's API, and sends the operator a
// webhook whose signature verifies with the gateway's public key. Method: a database of this file's
// own (the rows are broken on purpose), the monitor's Schedule triggered on the real Temporal server.
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { ConservationCheckDocument } from '../../services/conservation.ts';
import { conservationMonitorScheduleId } from '../../workflows/schedules.ts';
import { createAlliance } from '../support/alliance.ts';
import { testGatewayIssuer } from '../support/gateway.ts';
import { startOperatorWebhook } from './operator-webhook.ts';

interface Status {
  last: ConservationCheckDocument | null;
  lastFailed: ConservationCheckDocument | null;
  recent: ConservationCheckDocument[];
}

let gatewayPublicKey: Awaited<ReturnType<typeof createAlliance>>['gateway']['gatewayKey']['publicJwk'];
const operatorWebhook = await startOperatorWebhook({
  gatewayIssuer: testGatewayIssuer,
  gatewayPublicKeys: () => [gatewayPublicKey],
});
const alliance = await createAlliance({
  ownDatabase: 'conservation',
  conservation: { operatorWebhookUrl: operatorWebhook.url, reservationGraceSeconds: 60 },
});
const { gateway, coffee, airline, bookstore } = alliance;
gatewayPublicKey = gateway.gatewayKey.publicJwk;
const { db } = gateway;

async function status(query = ''): Promise<Status> {
  const response = await gateway.call(gateway.operator, 'GET', `/v1/operator/conservation${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Status;
}

let lastTriggerSecond = 0;

/**
 * Triggers the monitor's Schedule and waits for the check that run records. A Schedule names a run
 * after the second it starts in: two triggers within one second name the same workflow, and the
 * second is dropped while the first runs (still retrying its alert, say), so each trigger waits for
 * a second of its own.
 */
async function checkNow(): Promise<ConservationCheckDocument> {
  const before = (await status()).last?.id ?? '0';
  while (Math.floor(Date.now() / 1000) <= lastTriggerSecond)
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 10));
  const handle = gateway.temporal.schedule.getHandle(conservationMonitorScheduleId(gateway.taskQueue));
  await handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
  // The server named the run after a second no later than this one.
  lastTriggerSecond = Math.floor(Date.now() / 1000);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const last = (await status()).last;
    if (last && BigInt(last.id) > BigInt(before)) return last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the monitor recorded no check within 30 s');
}

/** The alert of this check that the operator accepted. */
async function alertFor(checkId: string) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const alert = operatorWebhook.received.find(
      (received) => received.body.data.id === checkId && received.status === 204,
    );
    if (alert) return alert;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no alert for check ${checkId} within 30 s`);
}

function finding(check: ConservationCheckDocument, name: string) {
  const found = check.findings.checks.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`check ${check.id} has no finding ${name}`);
  return found;
}

async function completedTransfer(response: Response): Promise<string> {
  const transfer = (await response.json()) as { id: string; status: string };
  expect(transfer.status).toBe('completed');
  return transfer.id;
}

const transferIds: string[] = [];

// Each check waits up to 30 s for the triggered schedule to record it (checkNow), so a test around
// one needs longer than the suite's 30 s on a machine busy with the other test files.
describe('a clean alliance', { timeout: 90_000 }, () => {
  it('passes every check after real transfers, and alerts no one', async () => {
    const member = await alliance.member({ coffee: 2_000n, airline: 1_000n, bookstore: 1_000n });
    transferIds.push(await completedTransfer(await alliance.transfer(coffee, airline, member, 1_000n)));
    transferIds.push(await completedTransfer(await alliance.transfer(airline, bookstore, member, 500n)));
    transferIds.push(await completedTransfer(await alliance.transfer(bookstore, coffee, member, 300n)));
    transferIds.push(await completedTransfer(await alliance.transfer(coffee, bookstore, member, 500n)));

    const check = await checkNow();
    expect(check).toMatchObject({ ok: true, failed: [], summary: '' });
    expect(check.findings.entriesSum).toBe('0');
    expect(check.findings.checks.every((each) => each.passed && each.count === '0')).toBe(true);
    expect(check.runId).toContain(conservationMonitorScheduleId(gateway.taskQueue));
    const shown = await status();
    expect(shown.last?.id).toBe(check.id);
    expect(shown.lastFailed).toBeNull();
    expect(operatorWebhook.received).toEqual([]);
  });
});

describe('a deliberately broken row', { timeout: 90_000 }, () => {
  it('an unbalanced ledger entry: the check fails naming it, the operator sees it and gets a signed alert', async () => {
    const reserve = await db
      .selectFrom('ledger_transfers')
      .select(['id', 'debit_account_id'])
      .where('operation', '=', 'reserve')
      .where('key', '=', `${transferIds[2]}:reserve`)
      .executeTakeFirstOrThrow();
    // One leg with no counterpart: a point made from nothing, on the member's account.
    await db
      .insertInto('ledger_entries')
      .values({
        transfer_id: reserve.id,
        account_id: reserve.debit_account_id ?? 0n,
        phase: 'posted',
        amount_points: 1n,
        reason: 'conservation test: unbalanced on purpose',
      })
      .execute();

    const check = await checkNow();
    expect(check.ok).toBe(false);
    expect(check.failed).toEqual(['ledger_not_zero_sum', 'accounts_out_of_balance']);
    expect(check.findings.entriesSum).toBe('1');
    expect(finding(check, 'ledger_not_zero_sum')).toMatchObject({
      passed: false,
      count: '1',
      exampleIds: [String(reserve.id)],
    });
    expect(finding(check, 'accounts_out_of_balance').exampleIds).toEqual([String(reserve.debit_account_id)]);
    expect(check.summary).toContain('ledger_not_zero_sum: 1 (entries sum to 1)');

    const shown = await status();
    expect(shown.last).toEqual(check);
    expect(shown.lastFailed).toEqual(check);
    expect(shown.recent.map((each) => each.ok)).toEqual([false, true]);

    const alert = await alertFor(check.id);
    expect(alert.refusal).toBeNull();
    expect(alert.path).toBe('/alerts/conservation?source=gateway');
    expect(alert.body).toMatchObject({ id: `conservation-check-${check.id}`, type: 'conservation.failed' });
    expect(alert.idempotencyKey).toBe(alert.body.id);
    expect(alert.body.data).toEqual(check);
  });

  it('a completed transfer whose obligation was deleted: transfers_without_obligation names it, the alert is retried', async () => {
    const transferId = transferIds[0] ?? '';
    // The operator's endpoint is down for the first attempt: Temporal retries the same event.
    operatorWebhook.failNext(1);
    await db
      .deleteFrom('settlement_obligations')
      .where('transfer_id', '=', transferId)
      .where('kind', '=', 'transfer')
      .execute();
    const check = await checkNow();
    expect(check.failed).toContain('transfers_without_obligation');
    expect(finding(check, 'transfers_without_obligation')).toMatchObject({
      count: '1',
      exampleIds: [transferId],
    });
    const accepted = await alertFor(check.id);
    expect(accepted.refusal).toBeNull();
    const attempts = operatorWebhook.received.filter((received) => received.body.data.id === check.id);
    expect(attempts.map((attempt) => attempt.status)).toEqual([503, 204]);
    expect(new Set(attempts.map((attempt) => attempt.body.id))).toEqual(new Set([accepted.body.id]));
  });

  it('an obligation whose transfer is no longer completed: obligations_without_completed_transfer names it', async () => {
    const transferId = transferIds[1] ?? '';
    await db.updateTable('transfers').set({ status: 'failed' }).where('id', '=', transferId).execute();
    const check = await checkNow();
    expect(check.failed).toContain('obligations_without_completed_transfer');
    expect(finding(check, 'obligations_without_completed_transfer')).toMatchObject({
      count: '1',
      exampleIds: [transferId],
    });
  });

  it('a reservation left pending past its expiry and the grace: reservations_past_expiry names it', async () => {
    const account = await db
      .selectFrom('ledger_accounts')
      .select(['id', 'program_id'])
      .where('kind', '=', 'member')
      .where('program_id', '=', bookstore.programId)
      .executeTakeFirstOrThrow();
    const clearing = await db
      .selectFrom('ledger_accounts')
      .select('id')
      .where('kind', '=', 'alliance_clearing')
      .where('program_id', '=', bookstore.programId)
      .executeTakeFirstOrThrow();
    const overdue = async (key: string, secondsAgo: number) =>
      (
        await db
          .insertInto('ledger_transfers')
          .values({
            program_id: account.program_id,
            key,
            operation: 'reserve',
            debit_account_id: account.id,
            credit_account_id: clearing.id,
            amount_points: 1n,
            pending_transfer_id: null,
            status: 'pending',
            expires_at: new Date(Date.now() - secondsAgo * 1000),
            reason: 'conservation test: never expired',
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const longOverdue = await overdue(`conservation-long-${Date.now()}`, 600);
    // Within the grace: the housekeeping may simply not have come round to it yet.
    await overdue(`conservation-recent-${Date.now()}`, 10);

    const check = await checkNow();
    expect(check.failed).toContain('reservations_past_expiry');
    expect(finding(check, 'reservations_past_expiry')).toMatchObject({
      count: '1',
      exampleIds: [String(longOverdue)],
    });
    // Every failure so far is still there: nothing in the monitor repairs what it finds.
    expect(check.failed).toEqual([
      'ledger_not_zero_sum',
      'accounts_out_of_balance',
      'transfers_without_obligation',
      'obligations_without_completed_transfer',
      'reservations_past_expiry',
    ]);
    const shown = await status('?limit=2');
    expect(shown.recent).toHaveLength(2);
    expect(shown.lastFailed?.id).toBe(check.id);
  });
});

describe('the operator API', () => {
  it('refuses a limit outside 1 to 100, and a partner', async () => {
    const tooMany = await gateway.call(gateway.operator, 'GET', '/v1/operator/conservation?limit=101');
    expect(tooMany.status).toBe(400);
    const partner = await gateway.call(coffee.signer, 'GET', '/v1/operator/conservation');
    expect(partner.status).toBe(403);
  });
});
