// What a transfer does when a partner refuses, is slow, is down, answers twice, or can no longer
// honour its reservation. In every case each side moves exactly once or not at all.
import { describe, expect, it } from 'vitest';
import { createAlliance } from '../support/alliance.ts';
import { recordHistory } from '../support/histories.ts';
import { expectReceivedAsDocumented } from '../support/webhook-contract.ts';

const alliance = await createAlliance();
const { gateway, coffee, airline } = alliance;

async function start(member: Awaited<ReturnType<typeof alliance.member>>, points = 1_000n) {
  const response = await alliance.transfer(coffee, airline, member, points);
  expect([201, 202]).toContain(response.status);
  const { id } = (await response.json()) as { id: string };
  return alliance.settled(id);
}

describe('refusals', () => {
  it('fails cleanly when the member lacks the points, moving nothing', async () => {
    const member = await alliance.member({ coffee: 500n });
    const transfer = await start(member);
    expect(transfer.status).toBe('failed');
    expect(transfer.failure?.code).toBe('insufficient_points');
    expect(await alliance.balance(coffee, member)).toBe(500n);
    expect(await alliance.balance(airline, member)).toBe(0n);
  });

  it('voids the reservation when the destination refuses the credit', async () => {
    const member = await alliance.member({ coffee: 2_000n });
    alliance.fault(airline, { operation: 'credit', mode: 'refuse', code: 'account_closed' });
    const transfer = await start(member);
    expect(transfer).toMatchObject({ status: 'failed', failure: { code: 'account_closed' } });
    await recordHistory(
      gateway.temporal,
      (transfer as unknown as { id: string }).id,
      'transfer-credit-refused',
    );
    expect(transfer.steps.map((step) => `${step.step}:${step.outcome}`)).toEqual(
      expect.arrayContaining(['reserve:done', 'credit:refused', 'void:done']),
    );
    expect(await alliance.balance(coffee, member)).toBe(2_000n);
    expect(await alliance.balance(airline, member)).toBe(0n);
  });
});

describe('slow and silent partners', () => {
  it('credits once when the destination times out and then reports success on the retry', async () => {
    const member = await alliance.member({ coffee: 2_000n });
    // The credit takes effect, but its answer comes after the gateway stopped waiting.
    alliance.fault(airline, { operation: 'credit', mode: 'hang_after', delayMs: 2_500 });
    const transfer = await start(member);
    expect(transfer.status).toBe('completed');
    expect(await alliance.balance(airline, member)).toBe(700n);
    expect(await alliance.balance(coffee, member)).toBe(1_000n);
  });

  it('asks for the outcome when every attempt times out, and finishes on the answer', async () => {
    const member = await alliance.member({ coffee: 2_000n });
    alliance.fault(airline, { operation: 'credit', mode: 'hang_after', delayMs: 2_500, count: 20 });
    const transfer = await start(member);
    airline.server?.faults.clear();
    expect(transfer.status).toBe('completed');
    expect(transfer.steps.map((step) => `${step.step}:${step.outcome}`)).toContain(
      'credit_outcome_asked:succeeded',
    );
    expect(await alliance.balance(airline, member)).toBe(700n);
  });

  it('gives the points back when the destination is down, and fences the credit it never got', async () => {
    const member = await alliance.member({ coffee: 2_000n });
    alliance.fault(airline, { operation: 'credit', mode: 'fail_before', count: 50 });
    const transfer = await start(member);
    airline.server?.faults.clear();
    expect(transfer).toMatchObject({ status: 'failed', failure: { code: 'partner_unavailable' } });
    expect(transfer.steps.map((step) => `${step.step}:${step.outcome}`)).toContain(
      'credit_outcome_asked:abandoned',
    );
    await recordHistory(
      gateway.temporal,
      (transfer as unknown as { id: string }).id,
      'transfer-credit-abandoned',
    );
    expect(await alliance.balance(coffee, member)).toBe(2_000n);
    // The credit request arriving late is refused: the asked-about key is fenced.
    const late = await airline.server?.books.credit({
      key: `${(transfer as unknown as { id: string }).id}:credit`,
      accountRef: member.accounts.airline,
      points: 700n,
    });
    expect(late).toMatchObject({ outcome: 'refused', code: 'operation_abandoned' });
    expect(await alliance.balance(airline, member)).toBe(0n);
  });

  it('credits once when the destination answers twice (effect, lost answer, replayed answer)', async () => {
    const member = await alliance.member({ coffee: 2_000n });
    alliance.fault(airline, { operation: 'credit', mode: 'fail_after', count: 2 });
    const transfer = await start(member);
    expect(transfer.status).toBe('completed');
    expect(await alliance.balance(airline, member)).toBe(700n);
  });

  it('waits out a slow source and still posts once', async () => {
    const member = await alliance.member({ coffee: 2_000n });
    alliance.fault(coffee, { operation: 'post', mode: 'fail_before', count: 3 });
    const transfer = await start(member);
    expect(transfer.status).toBe('completed');
    expect(await alliance.balance(coffee, member)).toBe(1_000n);
  });
});

describe('when the source cannot honour its reservation', () => {
  it('flags the transfer for finance and keeps the credit, never dropping it silently', async () => {
    const member = await alliance.member({ coffee: 2_000n });
    alliance.fault(coffee, { operation: 'post', mode: 'refuse', code: 'reservation_expired' });
    const transfer = await start(member);
    expect(transfer.status).toBe('needs_attention');
    const id = (transfer as unknown as { id: string }).id;
    const flags = await gateway.db
      .selectFrom('finance_flags')
      .selectAll()
      .where('transfer_id', '=', id)
      .execute();
    expect(flags).toHaveLength(1);
    expect(flags[0]?.reason).toContain('reservation_expired');
    expect(await alliance.balance(airline, member)).toBe(700n);
  });
});

describe('the webhooks this file’s partners received', () => {
  it('are each as the OpenAPI document describes them', () =>
    expectReceivedAsDocumented([coffee, airline], ['transfer.failed']));
});
