// An accrual, or an accrual's reversal, whose call to the earning programme cannot be known (every
// answer lost, and the programme cannot be asked either) needs a person: it ends needs_attention,
// owes nothing yet, and finance finds it in its flags rather than only on the accrual's timeline.
import { describe, expect, it } from 'vitest';
import { type Accrual, accrualKit, type Refund } from '../support/accruals.ts';
import { createAlliance } from '../support/alliance.ts';

const alliance = await createAlliance();
const { gateway, airline } = alliance;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const { accrue, accrued, refund, obligationsOf, read } = await accrualKit(alliance);

interface Flag {
  accrualId: string | null;
  accrualReversalId: string | null;
  reason: string;
}

async function flagsOf(accrualId: string): Promise<Flag[]> {
  const response = await gateway.call(gateway.finance, 'GET', '/v1/finance/flags?limit=100');
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: Flag[] }).items.filter((flag) => flag.accrualId === accrualId);
}

async function untilEnded(accrualId: string, done: (accrual: Accrual) => boolean): Promise<Accrual> {
  let current = await read(accrualId);
  for (let attempt = 0; attempt < 300 && !done(current); attempt += 1) {
    await sleep(200);
    current = await read(accrualId);
  }
  return current;
}

describe('an accrual whose partner call cannot be known', () => {
  it('is flagged for finance, and owes nothing until a person settles it', async () => {
    const member = await alliance.member({});
    const unanswered = { count: 1_000, accountRefPrefix: member.accounts.airline };
    alliance.fault(airline, { operation: 'credit', mode: 'fail_after', ...unanswered });
    alliance.fault(airline, { operation: 'outcome', mode: 'fail_before', ...unanswered });
    const response = await accrue(member, airline, 20_000n);
    const pending = (await response.json()) as Accrual;
    const ended = await untilEnded(pending.id, (accrual) => accrual.status !== 'pending');
    airline.server?.faults.clear();
    expect(ended.status).toBe('needs_attention');
    expect(await obligationsOf(pending.id)).toEqual([]);
    const flags = await flagsOf(pending.id);
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ accrualReversalId: null });
    expect(flags[0]?.reason).toContain('could not be asked');
  }, 90_000);

  it('flags a reversal whose take-back cannot be known, naming the reversal', async () => {
    const member = await alliance.member({});
    const accrual = await accrued(await accrue(member, airline, 50_000n));
    const unanswered = { count: 1_000, accountRefPrefix: member.accounts.airline };
    alliance.fault(airline, { operation: 'reverse', mode: 'fail_after', ...unanswered });
    alliance.fault(airline, { operation: 'outcome', mode: 'fail_before', ...unanswered });
    const response = await refund(accrual.id);
    expect([201, 202]).toContain(response.status);
    const reversal = (await response.json()) as Refund;
    const ended = await untilEnded(accrual.id, (current) =>
      current.reversals.every((item) => item.status !== 'pending'),
    );
    airline.server?.faults.clear();
    expect(ended.reversals.find((item) => item.id === reversal.id)?.status).toBe('needs_attention');
    const flags = await flagsOf(accrual.id);
    expect(flags).toEqual([expect.objectContaining({ accrualReversalId: reversal.id })]);
  }, 90_000);
});
