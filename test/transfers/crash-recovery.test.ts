// A partner retries a transfer whose answer it lost because our process died mid-request. Goal: the
// retry finds what the first run did and never moves the member's points twice; a key held by a dead
// process is free within seconds. (A transfer accepted while Temporal was unreachable is started by
// the stranded-transfer sweep, not by a retry: stuck-transfers.test.ts.) Method: the dead run's
// writes are made with the same store functions the handler uses (claim, then create the transfer),
// then its lease runs out; the retry is a real signed request through the gateway, and the workflows
// run on a real Temporal server.
import { describe, expect, it } from 'vitest';
import { hashRequest } from '../../gateway/idempotency.ts';
import { createServiceContext } from '../../services/context.ts';
import { createTransfer } from '../../services/transfers.ts';
import { claimIdempotencyKey } from '../../store/idempotency.ts';
import { createAlliance } from '../support/alliance.ts';

const leaseSeconds = 1;
const alliance = await createAlliance({ idempotencyLockSeconds: leaseSeconds });
const { gateway, coffee, airline } = alliance;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a run that died after claiming the key had done: the claim, whose lease then runs out. */
async function claimAsDeadRun(memberId: string, key: string, sourcePoints: string) {
  const body = {
    memberId,
    sourceProgramId: coffee.programId,
    targetProgramId: airline.programId,
    sourcePoints,
  };
  const requestHash = hashRequest('POST', '/v1/transfers', new TextEncoder().encode(JSON.stringify(body)));
  const claim = await claimIdempotencyKey(gateway.db, {
    principal: coffee.partner.id,
    key,
    requestHash,
    lockSeconds: leaseSeconds,
  });
  expect(claim.outcome).toBe('claimed');
  return body;
}

async function transfersOf(memberId: string) {
  return gateway.db.selectFrom('transfers').selectAll().where('member_id', '=', memberId).execute();
}

describe('a retry after our process died', () => {
  it('finds the inline transfer the dead run created, and moves the points once', async () => {
    const member = await alliance.member({ coffee: 3_000n });
    const key = `inline-${member.memberId}`;
    // The first run: it claimed the key, priced the quote and committed the transfer, then died
    // before it could start the workflow or answer.
    const body = await claimAsDeadRun(member.memberId, key, '1000');
    const { transfer: firstRun } = await createTransfer(
      {
        ...createServiceContext(gateway.db),
        policy: { quoteLifetimeSeconds: 60, coolingOffCapSourcePoints: 1_000n },
      },
      {
        partnerId: coffee.partner.id,
        request: { ...body, sourcePoints: 1_000n },
        idempotency: { principal: coffee.partner.id, key, effectId: null },
        now: new Date(),
      },
    );

    await sleep(leaseSeconds * 1000 + 200);
    const retry = await alliance.transfer(coffee, airline, member, 1_000n, key);
    expect(retry.status).toBe(201);
    const answered = (await retry.json()) as { id: string; status: string };
    expect(answered).toMatchObject({ id: firstRun.id, status: 'completed' });
    expect((await transfersOf(member.memberId)).map((transfer) => transfer.id)).toEqual([firstRun.id]);
    expect(await alliance.balance(coffee, member)).toBe(2_000n);
    expect(await alliance.balance(airline, member)).toBe(700n);

    const again = await alliance.transfer(coffee, airline, member, 1_000n, key);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(((await again.json()) as { id: string }).id).toBe(firstRun.id);
  });

  it('runs the request again once a dead run lease has run out, without waiting for a long lock', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const key = `lease-${member.memberId}`;
    await claimAsDeadRun(member.memberId, key, '500');
    const whileHeld = await alliance.transfer(coffee, airline, member, 500n, key);
    expect(whileHeld.status).toBe(409);
    expect(((await whileHeld.json()) as { code: string }).code).toBe('idempotency_request_in_progress');

    await sleep(leaseSeconds * 1000 + 200);
    const retry = await alliance.transfer(coffee, airline, member, 500n, key);
    expect(retry.status).toBe(201);
    expect(await transfersOf(member.memberId)).toHaveLength(1);
    expect(await alliance.balance(coffee, member)).toBe(500n);
  });

  it('keeps a long request key while it runs, though its lease is short', async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const key = `long-${member.memberId}`;
    // Every call of the credit answers after three leases (longer than the gateway waits for one
    // call, so each attempt times out and is retried until the step asks what became of it): the
    // request runs for several leases, and must renew its claim meanwhile.
    alliance.fault(airline, {
      operation: 'credit',
      mode: 'latency',
      delayMs: leaseSeconds * 3_000,
      count: 10,
    });
    const first = alliance.transfer(coffee, airline, member, 1_000n, key);
    await sleep(leaseSeconds * 2_000);
    const duplicate = await alliance.transfer(coffee, airline, member, 1_000n, key);
    expect(duplicate.status).toBe(409);
    expect((await first).status).toBe(201);
    airline.server?.faults.clear();
    expect(await transfersOf(member.memberId)).toHaveLength(1);
  });
});
