// The crash test's checks find what they are meant to find: a second transfer for one key, a
// transfer that never ended, a balance off by a transfer, a hold nobody is accountable for. Each case
// builds what a run would have sent and read back, by hand.
import { describe, expect, it } from 'vitest';
import type { ChaosMember } from './alliance.ts';
import { type CheckContext, checkBalancesAndHolds, checkEnded, checkOneTransferPerKey } from './checks.ts';
import type { Intent } from './load.ts';
import type { AccountBalance, TransferRecord } from './observe.ts';

const member: ChaosMember = { memberId: 'mbr_1', accountRef: 'chaos-m1' };
const programNames = new Map([
  ['prg_a', 'alpha'],
  ['prg_b', 'beta'],
]);

function intent(index: number, kind: Intent['kind'], transferId: string | null): Intent {
  return {
    index,
    kind,
    member,
    source: 'alpha',
    target: 'beta',
    sourcePoints: BigInt(100 + index),
    quoteKey: kind === 'quoted' ? `k-${index}-quote` : null,
    transferKey: `k-${index}-transfer`,
    quoteAnswer: null,
    quoteId: kind === 'quoted' ? `qte_${index}` : null,
    transferAnswer: {
      status: 201,
      body: { id: transferId },
      replayed: false,
      attempts: 3,
      lost: { connection: 1, server_error: 0, in_progress: 1 },
      recoveryMs: 1_000,
      lastLoss: null,
    },
    transferId,
  };
}

function transfer(
  id: string,
  points: number,
  status = 'completed',
  quoteId = `qte_inline_${id}`,
): TransferRecord {
  return {
    id,
    status,
    quoteId,
    memberId: member.memberId,
    sourceProgramId: 'prg_a',
    targetProgramId: 'prg_b',
    debitPoints: String(points),
    creditPoints: String((points * 9) / 10),
    failure: null,
    steps: status === 'completed' ? [{ step: 'post', outcome: 'done' }] : [],
  };
}

const context = (intents: Intent[], transfers: TransferRecord[]): CheckContext => ({
  intents,
  transfers: new Map(transfers.map((item) => [item.id, item])),
  programNames,
});

describe('one transfer per key', () => {
  it('passes when each key made the transfer its answer names', () => {
    const check = checkOneTransferPerKey(
      context(
        [intent(0, 'inline', 'trf_a'), intent(1, 'quoted', 'trf_b')],
        [transfer('trf_a', 100), transfer('trf_b', 101, 'completed', 'qte_1')],
      ),
    );
    expect(check.problems).toEqual([]);
  });

  it('names the key, its answer and both transfers when a retry made a second one', () => {
    const check = checkOneTransferPerKey(
      context([intent(0, 'inline', 'trf_second')], [transfer('trf_first', 100), transfer('trf_second', 100)]),
    );
    expect(check.ok).toBe(false);
    expect(check.problems).toHaveLength(1);
    expect(check.problems[0]).toContain('key k-0-transfer (inline');
    expect(check.problems[0]).toContain('answered trf_second');
    expect(check.problems[0]).toContain('trf_first completed');
  });

  it('reports a transfer no request accounts for, and an answer naming a transfer nobody sees', () => {
    const check = checkOneTransferPerKey(
      context([intent(0, 'inline', 'trf_gone')], [transfer('trf_stray', 999)]),
    );
    expect(check.problems).toEqual([
      expect.stringContaining('answered with trf_gone, which no partner can see'),
      expect.stringContaining('trf_stray completed 999 alpha→beta [post:done] matches no request'),
    ]);
  });
});

describe('every transfer ended', () => {
  it('lists a transfer still pending', () => {
    const check = checkEnded(context([], [transfer('trf_a', 100), transfer('trf_stuck', 101, 'pending')]));
    expect(check.summary).toBe('1 completed, 1 pending');
    expect(check.problems).toEqual([expect.stringContaining('trf_stuck pending')]);
  });
});

describe('balances and holds', () => {
  const seedPoints = 1_000n;
  const run = (transfers: TransferRecord[], balances: Record<string, AccountBalance>) =>
    checkBalancesAndHolds({
      ...context([], transfers),
      members: [member],
      seedPoints,
      balances: new Map(
        Object.entries(balances).map(([programId, balance]) => [`mbr_1|${programId}`, balance]),
      ),
    });

  it('passes when each account moved by its completed transfers', () => {
    const [balances, holds] = run([transfer('trf_a', 100), transfer('trf_failed', 50, 'failed')], {
      prg_a: { postedPoints: 900n, heldPoints: 0n },
      prg_b: { postedPoints: 1_090n, heldPoints: 0n },
    });
    expect(balances?.problems).toEqual([]);
    expect(holds?.problems).toEqual([]);
  });

  it('finds a balance moved twice and a hold no flagged transfer explains', () => {
    const [balances, holds] = run([transfer('trf_a', 100)], {
      prg_a: { postedPoints: 800n, heldPoints: 0n },
      prg_b: { postedPoints: 1_090n, heldPoints: 40n },
    });
    expect(balances?.problems).toEqual([
      expect.stringContaining('chaos-m1 in alpha: 800 posted, expected 900 (off by -100)'),
    ]);
    expect(holds?.problems).toEqual([
      expect.stringContaining('chaos-m1 in beta: 40 points held, at most 0 allowed'),
    ]);
  });

  it('allows the hold of a flagged transfer and counts its credit when its steps show it', () => {
    const flagged = {
      ...transfer('trf_flagged', 100, 'needs_attention'),
      steps: [
        { step: 'credit', outcome: 'done' },
        { step: 'post', outcome: 'refused' },
      ],
    };
    const [balances, holds] = run([flagged], {
      prg_a: { postedPoints: 1_000n, heldPoints: 100n },
      prg_b: { postedPoints: 1_090n, heldPoints: 0n },
    });
    expect(balances?.problems).toEqual([]);
    expect(holds?.problems).toEqual([]);
  });
});
