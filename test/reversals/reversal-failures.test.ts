// Reversals when something goes wrong: a retry with the same key, a lost answer, a refusal at either
// end, a run that failed after the take-back and one accepted while Temporal was unreachable, which
// the stranded sweep runs; each point moves once. Real partner systems over HTTP, real Temporal, real
// PostgreSQL. A database of its own: its sweep would otherwise drive other files' stuck transfers.
import { Client, Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { strandedTransfersScheduleId } from '../../workflows/schedules.ts';
import { createAlliance } from '../support/alliance.ts';
import { createTestGateway } from '../support/gateway.ts';
import { type Reversal, reversalKit } from '../support/reversals.ts';

const alliance = await createAlliance({
  ownDatabase: 'reversal_failures',
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
const { completedTransfer, reverse, reversed, obligationsOf } = reversalKit(alliance);

/** Once the sweep's age has passed, triggers the stranded sweep and reads the reversal until it completes. */
async function completedBySweep(pending: Reversal): Promise<Reversal> {
  await sleep(1_200);
  await gateway.temporal.schedule.getHandle(strandedTransfersScheduleId(gateway.taskQueue)).trigger();
  let current = pending;
  for (let attempt = 0; attempt < 100 && current.status !== 'completed'; attempt += 1) {
    await sleep(200);
    current = (await (
      await gateway.call(coffee.signer, 'GET', `/v1/reversals/${pending.id}`)
    ).json()) as Reversal;
  }
  return current;
}

describe('a reversal when something goes wrong', () => {
  it('answers a retry with the same key with the same reversal, reversing once', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const transferId = await completedTransfer(coffee, airline, member, 1_000n);
    const key = `reverse-${transferId}`;
    const first = await reversed(await reverse(coffee, transferId, { sourcePoints: '500' }, key));
    const again = await reverse(coffee, transferId, { sourcePoints: '500' }, key);
    expect(((await again.json()) as Reversal).id).toBe(first.id);
    expect(await alliance.balance(coffee, member)).toBe(500n);
    expect(await alliance.balance(airline, member)).toBe(350n);
  });

  it('takes back once when the target answered but the answer was lost', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const transferId = await completedTransfer(coffee, airline, member, 1_000n);
    alliance.fault(airline, { operation: 'reverse', mode: 'fail_after' });
    const reversal = await reversed(await reverse(coffee, transferId));
    expect(reversal).toMatchObject({ status: 'completed', takenTargetPoints: '700' });
    expect(await alliance.balance(airline, member)).toBe(0n);
    expect(await alliance.balance(coffee, member)).toBe(1_000n);
  });

  it('puts the points back at the target when the source refuses them, and fails cleanly', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const transferId = await completedTransfer(coffee, airline, member, 1_000n);
    alliance.fault(coffee, { operation: 'credit', mode: 'refuse', code: 'account_closed' });
    const response = await reverse(coffee, transferId);
    expect(response.status).toBe(201);
    const reversal = (await response.json()) as Reversal;
    expect(reversal).toMatchObject({ status: 'failed', failure: { code: 'account_closed' } });
    expect(await alliance.balance(airline, member)).toBe(700n);
    expect(await alliance.balance(coffee, member)).toBe(0n);
    expect(await obligationsOf(reversal.id)).toEqual([]);
    // At the partner the credit is reversed and a new credit restored the points: that part of the
    // transfer cannot be reversed again.
    const retry = await reverse(coffee, transferId);
    expect(((await retry.json()) as { code: string }).code).toBe('reversal_exceeds_transfer');
  });

  it('fails with nothing moved when the target refuses', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const transferId = await completedTransfer(coffee, airline, member, 1_000n);
    alliance.fault(airline, { operation: 'reverse', mode: 'refuse', code: 'account_frozen' });
    const reversal = (await (await reverse(coffee, transferId)).json()) as Reversal;
    expect(reversal).toMatchObject({ status: 'failed', failure: { code: 'account_frozen' } });
    expect(await alliance.balance(airline, member)).toBe(700n);
    expect(await alliance.balance(coffee, member)).toBe(0n);
    // Nothing was taken, so it counts for nothing: the whole transfer can still be reversed.
    const retry = await reversed(await reverse(coffee, transferId));
    expect(retry).toMatchObject({ status: 'completed', returnedSourcePoints: '1000' });
  });

  it('runs again a reversal whose run failed after the take-back, and moves each point once', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const transferId = await completedTransfer(coffee, airline, member, 1_000n);
    // The airline takes the miles back, every answer is lost, and it cannot be asked either: the run
    // keeps the reversal pending, retrying, past the request's wait.
    const unanswered = { count: 1_000, accountRefPrefix: member.accounts.airline };
    alliance.fault(airline, { operation: 'reverse', mode: 'fail_after', ...unanswered });
    alliance.fault(airline, { operation: 'outcome', mode: 'fail_before', ...unanswered });
    const response = await reverse(coffee, transferId);
    expect(response.status).toBe(202);
    const pending = (await response.json()) as Reversal;
    expect(await alliance.balance(airline, member)).toBe(0n);
    // The run ends without ending the reversal (its bookkeeping could not reach the database for the
    // hour it retries, or an operator terminated it): the reversal stays pending.
    await gateway.temporal.workflow.getHandle(pending.id).terminate('the run failed');
    airline.server?.faults.clear();
    const current = await completedBySweep(pending);
    // The second run's take-back, under the same key, got the first one's answer.
    expect(current).toMatchObject({
      status: 'completed',
      takenTargetPoints: '700',
      returnedSourcePoints: '1000',
    });
    expect(await alliance.balance(airline, member)).toBe(0n);
    expect(await alliance.balance(coffee, member)).toBe(1_000n);
    expect(await obligationsOf(pending.id)).toHaveLength(1);
  }, 90_000);

  it('runs again a reversal whose run failed after the take-back was recorded, returning each point once', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const transferId = await completedTransfer(coffee, airline, member, 1_000n);
    // The airline takes the miles back; the coffee shop restores the points, every answer is lost,
    // and it cannot be asked either: the reversal is taken, its return unknown.
    const unanswered = { count: 1_000, accountRefPrefix: member.accounts.coffee };
    alliance.fault(coffee, { operation: 'credit', mode: 'fail_after', ...unanswered });
    alliance.fault(coffee, { operation: 'outcome', mode: 'fail_before', ...unanswered });
    const response = await reverse(coffee, transferId);
    expect(response.status).toBe(202);
    const pending = (await response.json()) as Reversal;
    let row = { status: 'pending' };
    for (let attempt = 0; attempt < 100 && row.status !== 'taken'; attempt += 1) {
      await sleep(100);
      row = await gateway.db
        .selectFrom('transfer_reversals')
        .select('status')
        .where('id', '=', pending.id)
        .executeTakeFirstOrThrow();
    }
    expect(row.status).toBe('taken');
    for (let attempt = 0; attempt < 100 && (await alliance.balance(coffee, member)) === 0n; attempt += 1)
      await sleep(100);
    await gateway.temporal.workflow.getHandle(pending.id).terminate('the run failed');
    coffee.server?.faults.clear();
    const current = await completedBySweep(pending);
    expect(current).toMatchObject({ status: 'completed', returnedSourcePoints: '1000' });
    expect(await alliance.balance(airline, member)).toBe(0n);
    expect(await alliance.balance(coffee, member)).toBe(1_000n);
    expect(await obligationsOf(pending.id)).toHaveLength(1);
  }, 90_000);

  it('is accepted while Temporal is unreachable, and the stranded sweep runs it', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const transferId = await completedTransfer(coffee, airline, member, 1_000n);
    const response = await downGateway.call(coffee.signer, 'POST', `/v1/transfers/${transferId}/reversals`, {
      body: { reason: 'purchase refunded' },
    });
    expect(response.status).toBe(202);
    const accepted = (await response.json()) as Reversal;
    expect(accepted.status).toBe('pending');
    await sleep(1_200);
    await gateway.temporal.schedule.getHandle(strandedTransfersScheduleId(gateway.taskQueue)).trigger();
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const current = (await (
        await gateway.call(coffee.signer, 'GET', `/v1/reversals/${accepted.id}`)
      ).json()) as Reversal;
      if (current.status === 'completed') break;
      await sleep(200);
    }
    expect(await alliance.balance(coffee, member)).toBe(1_000n);
    expect(await alliance.balance(airline, member)).toBe(0n);
  }, 90_000);
});
