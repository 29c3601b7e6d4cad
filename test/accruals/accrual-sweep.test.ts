// The stranded sweep and the accruals it finishes: one accepted while Temporal was unreachable (never
// started), one whose run failed after its credit (run again under the same keys), and a refund left
// pending. A database of its own: its sweep would otherwise drive other files' stuck transfers.
import { Client, Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { strandedTransfersScheduleId } from '../../workflows/schedules.ts';
import { type Accrual, accrualKit, type Refund } from '../support/accruals.ts';
import { createAlliance } from '../support/alliance.ts';
import { createTestGateway } from '../support/gateway.ts';

const alliance = await createAlliance({
  ownDatabase: 'accrual_sweep',
  strandedTransfers: { untouchedSeconds: 1 },
});
const { gateway, coffee, airline } = alliance;
// A gateway whose Temporal is down: a real client of a port nobody listens on.
const downGateway = await createTestGateway({
  database: alliance.gateway.db,
  transferClient: new Client({
    connection: Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 }),
  }),
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const { accrue, accrued, obligationsOf, read } = await accrualKit(alliance);

describe('the stranded sweep', () => {
  it('starts an accrual left pending while Temporal was unreachable', async () => {
    const member = await alliance.member({});
    const response = await accrue(member, airline, 20_000n, { via: downGateway });
    expect(response.status).toBe(202);
    const pending = (await response.json()) as Accrual;
    expect(pending.status).toBe('pending');
    await sleep(1_200);
    await gateway.temporal.schedule.getHandle(strandedTransfersScheduleId(gateway.taskQueue)).trigger();
    let current = pending;
    for (let attempt = 0; attempt < 100 && current.status !== 'completed'; attempt += 1) {
      await sleep(200);
      current = await read(pending.id);
    }
    expect(current.status).toBe('completed');
    expect(await alliance.balance(airline, member)).toBe(20n);
  });

  it('runs again an accrual whose run failed after the credit, and credits once', async () => {
    const member = await alliance.member({});
    // The airline credits, every answer is lost, and it cannot be asked either: the run keeps the
    // accrual pending, retrying, past the request's wait.
    const unanswered = { count: 1_000, accountRefPrefix: member.accounts.airline };
    alliance.fault(airline, { operation: 'credit', mode: 'fail_after', ...unanswered });
    alliance.fault(airline, { operation: 'outcome', mode: 'fail_before', ...unanswered });
    const response = await accrue(member, airline, 20_000n);
    expect(response.status).toBe(202);
    const pending = (await response.json()) as Accrual;
    for (let attempt = 0; attempt < 100 && (await alliance.balance(airline, member)) === 0n; attempt += 1)
      await sleep(100);
    expect(await alliance.balance(airline, member)).toBe(20n);
    // The run ends without ending the accrual (its bookkeeping could not reach the database for the
    // hour it retries, or an operator terminated it): the accrual stays pending, owed nothing.
    await gateway.temporal.workflow.getHandle(pending.id).terminate('the run failed');
    airline.server?.faults.clear();
    expect((await read(pending.id)).status).toBe('pending');
    await sleep(1_200);
    await gateway.temporal.schedule.getHandle(strandedTransfersScheduleId(gateway.taskQueue)).trigger();
    let current = pending;
    for (let attempt = 0; attempt < 100 && current.status !== 'completed'; attempt += 1) {
      await sleep(200);
      current = await read(pending.id);
    }
    expect(current.status).toBe('completed');
    // The second run's credit, under the same key, got the first one's answer: credited once.
    expect(await alliance.balance(airline, member)).toBe(20n);
    expect(await obligationsOf(pending.id)).toHaveLength(1);
  });

  it('starts a refund left pending while Temporal was unreachable', async () => {
    const member = await alliance.member({});
    const accrual = await accrued(await accrue(member, airline, 50_000n));
    const response = await downGateway.call(coffee.signer, 'POST', `/v1/accruals/${accrual.id}/reversals`, {
      body: { reason: 'purchase refunded' },
    });
    expect(response.status).toBe(202);
    const pending = (await response.json()) as Refund;
    expect(pending.status).toBe('pending');
    await sleep(1_200);
    await gateway.temporal.schedule.getHandle(strandedTransfersScheduleId(gateway.taskQueue)).trigger();
    let current: Refund | undefined = pending;
    for (let attempt = 0; attempt < 100 && current?.status !== 'completed'; attempt += 1) {
      await sleep(200);
      current = (await read(accrual.id)).reversals.find((item) => item.id === pending.id);
    }
    expect(current).toMatchObject({ status: 'completed', takenPoints: '50' });
    expect(await alliance.balance(airline, member)).toBe(0n);
  });
});
