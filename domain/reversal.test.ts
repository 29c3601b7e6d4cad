import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProblemError } from './errors.ts';
import { countedFigures, planReversal, type ReversalFigures, reversalResult } from './reversal.ts';

const transfer: ReversalFigures = { sourcePoints: 1000n, targetPoints: 333n, settlementAmountMinor: 1999n };
const none: ReversalFigures = { sourcePoints: 0n, targetPoints: 0n, settlementAmountMinor: 0n };

function add(a: ReversalFigures, b: ReversalFigures): ReversalFigures {
  return {
    sourcePoints: a.sourcePoints + b.sourcePoints,
    targetPoints: a.targetPoints + b.targetPoints,
    settlementAmountMinor: a.settlementAmountMinor + b.settlementAmountMinor,
  };
}

function refusalCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ProblemError) return error.code;
    throw error;
  }
  return undefined;
}

describe('planReversal', () => {
  it('reverses a whole transfer to its exact figures', () => {
    expect(planReversal({ transfer, earlier: none, sourcePoints: null })).toEqual(transfer);
  });

  it('refuses more than is left, and a part too small to take back a destination point', () => {
    const half = planReversal({ transfer, earlier: none, sourcePoints: 500n });
    expect(half).toEqual({ sourcePoints: 500n, targetPoints: 166n, settlementAmountMinor: 999n });
    expect(refusalCode(() => planReversal({ transfer, earlier: half, sourcePoints: 501n }))).toBe(
      'reversal_exceeds_transfer',
    );
    expect(refusalCode(() => planReversal({ transfer, earlier: none, sourcePoints: 1n }))).toBe(
      'reversal_too_small',
    );
    expect(refusalCode(() => planReversal({ transfer, earlier: transfer, sourcePoints: null }))).toBe(
      'reversal_exceeds_transfer',
    );
  });

  it('adds up to exactly the transfer in any number of parts, and never past it, whatever fails', () => {
    const part = fc.record({
      sourcePoints: fc.bigInt({ min: 1n, max: 400n }),
      fails: fc.boolean(),
      takenShare: fc.integer({ min: 0, max: 100 }),
      payer: fc.constantFrom('source_partner' as const, 'target_partner' as const),
    });
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.array(part, { maxLength: 12 }),
        (sourcePoints, targetPoints, settlementAmountMinor, parts) => {
          const whole = { sourcePoints, targetPoints, settlementAmountMinor };
          let counted = none;
          let shortfall = false;
          for (const next of parts) {
            let plan: ReversalFigures;
            try {
              plan = planReversal({ transfer: whole, earlier: counted, sourcePoints: next.sourcePoints });
            } catch (error) {
              if (!(error instanceof ProblemError)) throw error;
              continue;
            }
            const taken = (plan.targetPoints * BigInt(next.takenShare)) / 100n;
            const result = reversalResult(plan, taken, next.payer);
            if (result.shortfallTargetPoints > 0n) shortfall = true;
            expect(result.returnedSourcePoints).toBeLessThanOrEqual(plan.sourcePoints);
            expect(result.reversedAmountMinor).toBeLessThanOrEqual(plan.settlementAmountMinor);
            counted = add(
              counted,
              countedFigures({
                status: next.fails ? 'failed' : 'completed',
                plan,
                takenTargetPoints: taken,
                result,
              }),
            );
            expect(counted.sourcePoints).toBeLessThanOrEqual(whole.sourcePoints);
            expect(counted.targetPoints).toBeLessThanOrEqual(whole.targetPoints);
            expect(counted.settlementAmountMinor).toBeLessThanOrEqual(whole.settlementAmountMinor);
          }
          // Whatever is left reverses in one more part (unless it is too small), landing on the whole.
          if (!shortfall && counted.sourcePoints < whole.sourcePoints) {
            try {
              counted = add(counted, planReversal({ transfer: whole, earlier: counted, sourcePoints: null }));
            } catch (error) {
              if (!(error instanceof ProblemError) || error.code !== 'reversal_too_small') throw error;
              return;
            }
            expect(counted).toEqual(whole);
          }
        },
      ),
    );
  });
});

describe('reversalResult', () => {
  const plan = { sourcePoints: 100n, targetPoints: 40n, settlementAmountMinor: 800n };

  it('returns and owes everything when all was taken back', () => {
    expect(reversalResult(plan, 40n, 'source_partner')).toEqual({
      returnedSourcePoints: 100n,
      reversedAmountMinor: 800n,
      shortfallTargetPoints: 0n,
    });
  });

  it('shrinks both in proportion when the source partner bears the shortfall', () => {
    expect(reversalResult(plan, 10n, 'source_partner')).toEqual({
      returnedSourcePoints: 25n,
      reversedAmountMinor: 200n,
      shortfallTargetPoints: 30n,
    });
    expect(reversalResult(plan, 0n, 'source_partner')).toEqual({
      returnedSourcePoints: 0n,
      reversedAmountMinor: 0n,
      shortfallTargetPoints: 40n,
    });
  });

  it('changes neither when the target partner bears it', () => {
    expect(reversalResult(plan, 10n, 'target_partner')).toEqual({
      returnedSourcePoints: 100n,
      reversedAmountMinor: 800n,
      shortfallTargetPoints: 30n,
    });
  });
});
