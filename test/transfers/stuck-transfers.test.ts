// Transfers stuck in the middle (pending, reserved, credited) are driven to an end by the stranded-
// transfer sweep, and finance sees what it did. Goal: a transfer accepted while Temporal was
// unreachable gets its workflow; a transfer whose workflow was terminated by hand mid-way gets a
// recovery run that asks the partners what happened, and completes it (the credit took effect) or
// voids the reservation and fails it (the credit never did), each side moving exactly once. Method:
// real partner servers over HTTP with fault switches to catch a transfer mid-way, a real Temporal
// server whose workflow is terminated through its client, and the sweep's Schedule triggered by hand.
import { Client, Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { strandedTransfersScheduleId } from '../../workflows/schedules.ts';
import { describeRun } from '../../workflows/transfer-client.ts';
import { transferRecoveryWorkflow } from '../../workflows/transfer-recovery.workflow.ts';
import { type AlliancePartner, createAlliance, type Member } from '../support/alliance.ts';
import { createTestGateway, testTransferTimeouts } from '../support/gateway.ts';

const untouchedSeconds = 1;
// A database of its own: its sweep would otherwise drive other files' stuck transfers.
const alliance = await createAlliance({
  ownDatabase: 'stuck_transfers',
  strandedTransfers: { untouchedSeconds },
});
const { gateway, coffee, airline } = alliance;
// Temporal as seen by a gateway whose Temporal is down: a real client of a port nobody listens on.
const unreachableTemporal = new Client({
  connection: Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 }),
});
const downGateway = await createTestGateway({
  transferClient: unreachableTemporal,
  database: alliance.gateway.db,
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface SweepActionView {
  subject: { kind: string; id: string; status: string };
  transferId: string;
  action: string;
  workflowId: string;
  workflowStatus: string;
}

/** Runs the sweep now, once the transfer has been untouched long enough to count as stuck. */
async function sweepNow(): Promise<void> {
  await sleep(untouchedSeconds * 1000 + 200);
  await gateway.temporal.schedule.getHandle(strandedTransfersScheduleId(gateway.taskQueue)).trigger();
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const value = await read();
    if (done(value)) return value;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function statusOf(transferId: string): Promise<string | undefined> {
  return gateway.db
    .selectFrom('transfers')
    .select('status')
    .where('id', '=', transferId)
    .executeTakeFirst()
    .then((row) => row?.status);
}

/** Starts a transfer through the gateway without waiting for its answer, and returns its id. */
async function startTransfer(member: Member, sourcePoints: bigint): Promise<string> {
  const quote = await gateway.call(coffee.signer, 'POST', '/v1/quotes', {
    body: {
      memberId: member.memberId,
      sourceProgramId: coffee.programId,
      targetProgramId: airline.programId,
      sourcePoints: String(sourcePoints),
    },
  });
  expect(quote.status).toBe(201);
  const { id: quoteId } = (await quote.json()) as { id: string };
  void gateway.call(coffee.signer, 'POST', '/v1/transfers', { body: { quoteId } });
  return waitFor(
    async () =>
      (
        await gateway.db
          .selectFrom('quotes')
          .select('used_by_transfer_id')
          .where('id', '=', quoteId)
          .executeTakeFirst()
      )?.used_by_transfer_id,
    (id) => typeof id === 'string',
    'the transfer to be created',
  ) as Promise<string>;
}

/** Terminates the transfer's workflow as an operator would, once it reaches `status`. */
async function terminateAt(transferId: string, status: string): Promise<void> {
  await waitFor(
    () => statusOf(transferId),
    (current) => current === status,
    `${transferId} ${status}`,
  );
  await gateway.temporal.workflow.getHandle(transferId).terminate('terminated by hand in a test');
  expect((await gateway.temporal.workflow.getHandle(transferId).describe()).status.name).toBe('TERMINATED');
}

function clearFaults(partner: AlliancePartner): void {
  partner.server?.faults.clear();
}

async function sweepsOf(transferId: string): Promise<SweepActionView[]> {
  const response = await gateway.call(gateway.finance, 'GET', `/v1/finance/sweeps?transferId=${transferId}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: SweepActionView[] }).items;
}

describe('a transfer accepted while Temporal is unreachable', () => {
  it('answers 202 pending; the sweep starts its workflow, which completes it, and finance sees it', async () => {
    const member = await alliance.member({ coffee: 2_000n });
    const response = await downGateway.call(coffee.signer, 'POST', '/v1/transfers', {
      body: {
        memberId: member.memberId,
        sourceProgramId: coffee.programId,
        targetProgramId: airline.programId,
        sourcePoints: '1000',
      },
    });
    expect(response.status).toBe(202);
    const accepted = (await response.json()) as { id: string; status: string };
    expect(accepted.status).toBe('pending');

    await sweepNow();
    const settled = await alliance.settled(accepted.id);
    expect(settled.status).toBe('completed');
    expect(await alliance.balance(coffee, member)).toBe(1_000n);
    expect(await alliance.balance(airline, member)).toBe(700n);
    expect(settled.steps).toContainEqual(
      expect.objectContaining({ step: 'swept', outcome: 'started_workflow' }),
    );
    expect(await sweepsOf(accepted.id)).toEqual([
      expect.objectContaining({
        subject: { kind: 'transfer', id: accepted.id, status: 'pending' },
        action: 'started_workflow',
        workflowId: accepted.id,
        workflowStatus: 'not_found',
      }),
    ]);
  });
});

describe('a transfer whose workflow was terminated by hand', () => {
  it('is completed by a recovery run when the credit took effect before the workflow stopped', async () => {
    const member = await alliance.member({ coffee: 2_000n });
    // The target credits, then holds every answer: the transfer stays reserved with the credit done.
    alliance.fault(airline, { operation: 'credit', mode: 'hang_after', delayMs: 2_000, count: 100 });
    const transferId = await startTransfer(member, 1_000n);
    await waitFor(
      () => alliance.balance(airline, member),
      (points) => points === 700n,
      'the credit',
    );
    await terminateAt(transferId, 'reserved');
    clearFaults(airline);

    await sweepNow();
    const settled = await alliance.settled(transferId);
    expect(settled.status).toBe('completed');
    expect(await alliance.balance(coffee, member)).toBe(1_000n);
    expect(await alliance.balance(airline, member)).toBe(700n);
    expect(settled.steps).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ step: 'swept', outcome: 'started_recovery' }),
        expect.objectContaining({ step: 'credit_outcome_asked', outcome: 'succeeded' }),
        expect.objectContaining({ step: 'post', outcome: 'done' }),
      ]),
    );
    expect(await sweepsOf(transferId)).toEqual([
      expect.objectContaining({
        subject: { kind: 'transfer', id: transferId, status: 'reserved' },
        action: 'started_recovery',
        workflowId: `${transferId}:recovery:1`,
        workflowStatus: 'terminated',
      }),
    ]);
  });

  it('is failed with the reservation voided when the credit never reached the target', async () => {
    const member = await alliance.member({ coffee: 2_000n });
    // The target is down: the credit is retried, and the workflow is stopped before it gives up.
    alliance.fault(airline, { operation: 'credit', mode: 'fail_before', count: 1_000 });
    const transferId = await startTransfer(member, 1_000n);
    await terminateAt(transferId, 'reserved');
    expect(await alliance.balance(coffee, member)).toBe(1_000n);

    // The target stays down until the recovery has asked about the credit (which fences its key):
    // a credit attempt already under way when the workflow stopped must not land first.
    await sweepNow();
    const settled = await alliance.settled(transferId);
    clearFaults(airline);
    expect(settled).toMatchObject({ status: 'failed', failure: { code: 'transfer_interrupted' } });
    expect(await alliance.balance(coffee, member)).toBe(2_000n);
    expect(await alliance.balance(airline, member)).toBe(0n);
    expect(settled.steps).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ step: 'credit_outcome_asked', outcome: 'abandoned' }),
        expect.objectContaining({ step: 'void', outcome: 'done' }),
      ]),
    );
    // The credit's key is fenced: a late request of the stopped run can never credit the member.
    const late = await airline.server?.books.credit({
      key: `${transferId}:credit`,
      accountRef: member.accounts.airline,
      points: 700n,
    });
    expect(late).toMatchObject({ outcome: 'refused' });
    expect(await alliance.balance(airline, member)).toBe(0n);
    expect((await sweepsOf(transferId)).map((action) => action.action)).toEqual(['started_recovery']);
  });

  it('is completed by a recovery run when it stopped credited, before the post', async () => {
    const member = await alliance.member({ coffee: 3_000n });
    // The source posts, then holds every answer: the transfer stays credited.
    alliance.fault(coffee, { operation: 'post', mode: 'hang_after', delayMs: 2_000, count: 100 });
    const transferId = await startTransfer(member, 2_000n);
    await terminateAt(transferId, 'credited');
    clearFaults(coffee);

    await sweepNow();
    const settled = await alliance.settled(transferId);
    expect(settled.status).toBe('completed');
    expect(await alliance.balance(coffee, member)).toBe(1_000n);
    expect(await alliance.balance(airline, member)).toBe(1_400n);
    const obligations = await gateway.db
      .selectFrom('settlement_obligations')
      .select('kind')
      .where('transfer_id', '=', transferId)
      .execute();
    expect(obligations).toEqual([{ kind: 'transfer' }]);
  });
});

describe('the sweep', () => {
  it('leaves a transfer whose workflow is at work alone, and says so once', async () => {
    const member = await alliance.member({ coffee: 2_000n });
    // The source posts but its answers are lost: the transfer sits credited while its workflow retries.
    alliance.fault(coffee, { operation: 'post', mode: 'hang_after', delayMs: 2_000, count: 100 });
    const transferId = await startTransfer(member, 1_000n);
    await waitFor(
      () => statusOf(transferId),
      (status) => status === 'credited',
      'credited',
    );
    await sweepNow();
    const running = await waitFor(
      () => sweepsOf(transferId),
      (actions) => actions.length > 0,
      'the sweep to find it',
    );
    expect(running).toEqual([
      expect.objectContaining({ action: 'left_running', workflowId: transferId, workflowStatus: 'running' }),
    ]);
    await sweepNow();
    clearFaults(coffee);
    expect((await alliance.settled(transferId)).status).toBe('completed');
    expect(await alliance.balance(airline, member)).toBe(700n);
    expect(await sweepsOf(transferId)).toHaveLength(1);
    expect((await alliance.settled(transferId)).steps.map((step) => step.step)).not.toContain('swept');
  });

  it('starts a new recovery run when one is stopped too, and after three says it gave up', async () => {
    const member = await alliance.member({ coffee: 2_000n });
    alliance.fault(airline, { operation: 'credit', mode: 'fail_before', count: 1_000 });
    const transferId = await startTransfer(member, 1_000n);
    await terminateAt(transferId, 'reserved');
    // The target stays down to the end, as above: a credit attempt under way when the workflow
    // stopped must not land while nothing has fenced its key (it did, under load, and the transfer
    // was then credited rather than reserved).
    // The source cannot say what became of the reserve: each recovery run waits, and is stopped.
    alliance.fault(coffee, { operation: 'outcome', mode: 'fail_before', count: 10_000 });
    for (const attempt of [1, 2, 3]) {
      await sweepNow();
      const runId = `${transferId}:recovery:${attempt}`;
      await waitFor(
        () => describeRun(gateway.temporal, runId),
        (run) => run.status === 'running',
        runId,
      );
      await gateway.temporal.workflow.getHandle(runId).terminate('stopped by hand in a test');
    }
    await sweepNow();
    const actions = await waitFor(
      () => sweepsOf(transferId),
      (found) => found.some((action) => action.action === 'gave_up'),
      'the sweep to give up',
    );
    expect(actions.map((action) => [action.action, action.workflowId])).toEqual([
      ['gave_up', `${transferId}:recovery:3`],
      ['started_recovery', `${transferId}:recovery:3`],
      ['started_recovery', `${transferId}:recovery:2`],
      ['started_recovery', `${transferId}:recovery:1`],
    ]);
    expect(await statusOf(transferId)).toBe('reserved');

    // What a person does then, once the source answers again: run a recovery by hand, which asks
    // the target about the credit (fencing its key) before the target is back.
    clearFaults(coffee);
    const outcome = await gateway.temporal.workflow.execute(transferRecoveryWorkflow, {
      workflowId: `${transferId}:recovery:by-hand`,
      taskQueue: gateway.taskQueue,
      args: [{ transferId, timeouts: testTransferTimeouts }],
    });
    expect(outcome).toMatchObject({ status: 'failed', code: 'transfer_interrupted' });
    clearFaults(airline);
    expect(await alliance.balance(coffee, member)).toBe(2_000n);
    expect(await alliance.balance(airline, member)).toBe(0n);
  });

  it('sends again, once its retries would have ended, an event its stopped run left undelivered', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    // The airline's webhook endpoint fails; the transfer completes and its run stops while retrying.
    alliance.fault(airline, { operation: 'webhook', mode: 'fail_before', count: 1_000 });
    const transfer = (await (await alliance.transfer(coffee, airline, member, 100n)).json()) as {
      id: string;
      status: string;
    };
    expect(transfer.status).toBe('completed');
    const delivery = () =>
      gateway.db
        .selectFrom('webhook_deliveries')
        .select(['id', 'status', 'attempts'])
        .where('event_id', '=', `${transfer.id}:transfer.completed`)
        .where('partner_id', '=', airline.partner.id)
        .executeTakeFirstOrThrow();
    await expect.poll(async () => (await delivery()).attempts).toBeGreaterThan(0);
    await gateway.temporal.workflow.getHandle(transfer.id).terminate('stopped while delivering');
    airline.server?.faults.clear();
    expect((await delivery()).status).toBe('pending');
    await sleep(testTransferTimeouts.webhookTotalMs + untouchedSeconds * 1000 + 200);
    await gateway.temporal.schedule.getHandle(strandedTransfersScheduleId(gateway.taskQueue)).trigger();
    await expect.poll(async () => (await delivery()).status, { timeout: 20_000 }).toBe('delivered');
    expect(
      airline.server?.webhooks.filter(
        (hook) => (hook as { id: string }).id === `${transfer.id}:transfer.completed`,
      ),
    ).toHaveLength(1);
  }, 60_000);

  it('is listed for finance only, newest first, in pages', async () => {
    const first = await gateway.call(gateway.finance, 'GET', '/v1/finance/sweeps?limit=1');
    expect(first.status).toBe(200);
    const page = (await first.json()) as { items: { id: string }[]; nextCursor: string | null };
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).toBe(page.items[0]?.id);
    const next = await gateway.call(
      gateway.finance,
      'GET',
      `/v1/finance/sweeps?limit=1&cursor=${page.nextCursor}`,
    );
    const second = (await next.json()) as { items: { id: string }[] };
    expect((second.items[0]?.id ?? '') < (page.items[0]?.id ?? '')).toBe(true);

    expect((await gateway.call(coffee.signer, 'GET', '/v1/finance/sweeps')).status).toBe(403);
  });
});
