import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assessTheft, type MemberActivity, type TheftPolicy } from './theft-signals.ts';

const at = new Date('2026-12-01T12:00:00Z');
const secondsAgo = (seconds: number) => new Date(at.getTime() - seconds * 1000);

const everySignal: TheftPolicy = {
  threshold: 50,
  holdExpirySeconds: 3_600,
  signals: {
    newLinkTransfer: { weight: 20, withinSeconds: 3_600 },
    linkBurst: { weight: 20, links: 3, withinSeconds: 600 },
    transferBurst: { weight: 40, transfers: 3, withinSeconds: 600 },
    balanceDrain: { weight: 60, shareBasisPoints: 9_000, newLinkWithinSeconds: 86_400 },
  },
};

const quiet: MemberActivity = {
  sourceLinkedAt: secondsAgo(90 * 86_400),
  targetLinkedAt: secondsAgo(90 * 86_400),
  linkedAt: [secondsAgo(90 * 86_400), secondsAgo(90 * 86_400)],
  transferredAt: [],
  sourceBalancePoints: 10_000n,
};

describe('theft signals', () => {
  it('a long-standing member moving part of a balance sets off nothing', () => {
    expect(assessTheft(everySignal, quiet, { debitPoints: 1_000n, at })).toEqual({
      score: 0,
      threshold: 50,
      held: false,
      signals: [],
    });
  });

  it('the whole balance to a link made an hour ago is a drain and a new-link transfer', () => {
    const assessment = assessTheft(
      everySignal,
      { ...quiet, targetLinkedAt: secondsAgo(3_000), linkedAt: [...quiet.linkedAt, secondsAgo(3_000)] },
      { debitPoints: 9_500n, at },
    );
    expect(assessment.signals.map((signal) => signal.signal)).toEqual(['new_link_transfer', 'balance_drain']);
    expect(assessment).toMatchObject({ score: 80, held: true });
  });

  it('a burst counts the transfer itself, and only inside its window', () => {
    const burst = (earlier: number[]) =>
      assessTheft(
        everySignal,
        { ...quiet, transferredAt: earlier.map(secondsAgo) },
        { debitPoints: 10n, at },
      );
    expect(burst([30, 60]).signals.map((signal) => signal.signal)).toEqual(['transfer_burst']);
    expect(burst([30, 601]).signals).toEqual([]);
    expect(burst([30]).signals).toEqual([]);
    // Sent at the same moment: the two before it committed after this request arrived, stamped later.
    expect(burst([-0.004, -0.002]).signals.map((signal) => signal.signal)).toEqual(['transfer_burst']);
  });

  it('a drain needs a known balance: a partner system’s balance is not the gateway’s to read', () => {
    const activity = { ...quiet, targetLinkedAt: secondsAgo(60), sourceBalancePoints: null };
    expect(
      assessTheft(everySignal, activity, { debitPoints: 9_500n, at }).signals.map((signal) => signal.signal),
    ).toEqual(['new_link_transfer']);
  });

  const times = fc.array(fc.integer({ min: 0, max: 7_200 }).map(secondsAgo), { maxLength: 12 });
  const activities = fc.record({
    sourceLinkedAt: fc.integer({ min: 0, max: 200_000 }).map(secondsAgo),
    targetLinkedAt: fc.integer({ min: 0, max: 200_000 }).map(secondsAgo),
    linkedAt: times,
    transferredAt: times,
    sourceBalancePoints: fc.option(fc.bigInt({ min: 0n, max: 1_000_000n }), { nil: null }),
  });
  const signalSettings = fc.record(
    {
      newLinkTransfer: fc.record({
        weight: fc.integer({ min: 0, max: 100 }),
        withinSeconds: fc.integer({ min: 1, max: 100_000 }),
      }),
      linkBurst: fc.record({
        weight: fc.integer({ min: 0, max: 100 }),
        links: fc.integer({ min: 1, max: 10 }),
        withinSeconds: fc.integer({ min: 1, max: 7_200 }),
      }),
      transferBurst: fc.record({
        weight: fc.integer({ min: 0, max: 100 }),
        transfers: fc.integer({ min: 1, max: 10 }),
        withinSeconds: fc.integer({ min: 1, max: 7_200 }),
      }),
      balanceDrain: fc.record({
        weight: fc.integer({ min: 0, max: 100 }),
        shareBasisPoints: fc.integer({ min: 1, max: 10_000 }),
        newLinkWithinSeconds: fc.integer({ min: 1, max: 200_000 }),
      }),
    },
    { requiredKeys: [] },
  );
  const policies = fc.record({
    threshold: fc.integer({ min: 1, max: 300 }),
    holdExpirySeconds: fc.constant(3_600),
    signals: signalSettings,
  });
  const debits = fc.bigInt({ min: 1n, max: 1_000_000n });

  it('the score is the sum of the weights fired, and a transfer is held exactly when it reaches the threshold', () => {
    fc.assert(
      fc.property(policies, activities, debits, (policy, activity, debitPoints) => {
        const assessment = assessTheft(policy, activity, { debitPoints, at });
        expect(assessment.score).toBe(assessment.signals.reduce((sum, signal) => sum + signal.weight, 0));
        expect(assessment.held).toBe(assessment.score >= policy.threshold);
        for (const fired of assessment.signals) {
          const name = {
            new_link_transfer: 'newLinkTransfer',
            link_burst: 'linkBurst',
            transfer_burst: 'transferBurst',
            balance_drain: 'balanceDrain',
          }[fired.signal] as keyof TheftPolicy['signals'];
          expect(policy.signals[name], `${fired.signal} fired without being counted`).toBeDefined();
        }
      }),
    );
  });

  it('more activity never lowers the score: a thief cannot hide by doing more', () => {
    fc.assert(
      fc.property(
        policies,
        activities,
        times,
        times,
        debits,
        (policy, activity, moreLinks, more, debitPoints) => {
          const before = assessTheft(policy, activity, { debitPoints, at });
          const after = assessTheft(
            policy,
            {
              ...activity,
              linkedAt: [...activity.linkedAt, ...moreLinks],
              transferredAt: [...activity.transferredAt, ...more],
            },
            { debitPoints, at },
          );
          expect(after.score).toBeGreaterThanOrEqual(before.score);
        },
      ),
    );
  });

  it('a policy that counts no signal never holds', () => {
    fc.assert(
      fc.property(activities, debits, (activity, debitPoints) => {
        const policy: TheftPolicy = { threshold: 1, holdExpirySeconds: 60, signals: {} };
        expect(assessTheft(policy, activity, { debitPoints, at }).held).toBe(false);
      }),
    );
  });
});
