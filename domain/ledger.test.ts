import { describe, expect, it } from 'vitest';
import {
  type AccountBalances,
  availablePoints,
  type LedgerOperationKind,
  planLedgerOperation,
} from './ledger.ts';

const empty = (guarded: boolean): AccountBalances => ({
  debitsPending: 0n,
  debitsPosted: 0n,
  creditsPending: 0n,
  creditsPosted: 0n,
  debitsMustNotExceedCredits: guarded,
  countersKept: true,
});

function run(kind: LedgerOperationKind, amount: bigint, debit: AccountBalances, credit: AccountBalances) {
  const plan = planLedgerOperation(kind, amount, debit, credit);
  if (!plan.ok) throw new Error(`refused: ${plan.reason}`);
  expect(plan.entries.reduce((sum, entry) => sum + entry.amountPoints, 0n)).toBe(0n);
  return plan;
}

describe('hosted ledger rules', () => {
  it('credits, reserves and posts, keeping the member non-negative', () => {
    const credited = run('credit', 1_000n, empty(false), empty(true));
    const member = credited.creditAccount;
    expect(availablePoints(member)).toBe(1_000n);

    const reserved = run('reserve', 600n, member, empty(false));
    expect(availablePoints(reserved.debitAccount)).toBe(400n);
    expect(reserved.debitAccount.debitsPending).toBe(600n);

    const posted = run('post', 600n, reserved.debitAccount, reserved.creditAccount);
    expect(posted.debitAccount).toMatchObject({
      debitsPending: 0n,
      debitsPosted: 600n,
      creditsPosted: 1_000n,
    });
    expect(posted.creditAccount).toMatchObject({ creditsPending: 0n, creditsPosted: 600n });
  });

  it('gives the points back when a reservation is voided', () => {
    const member = run('credit', 500n, empty(false), empty(true)).creditAccount;
    const reserved = run('reserve', 500n, member, empty(false));
    const voided = run('void', 500n, reserved.debitAccount, reserved.creditAccount);
    expect(availablePoints(voided.debitAccount)).toBe(500n);
    expect(voided.creditAccount.creditsPending).toBe(0n);
  });

  it('refuses to reserve more than is available, counting pending reservations', () => {
    const member = run('credit', 500n, empty(false), empty(true)).creditAccount;
    const reserved = run('reserve', 300n, member, empty(false)).debitAccount;
    expect(planLedgerOperation('reserve', 201n, reserved, empty(false))).toEqual({
      ok: false,
      reason: 'insufficient_points',
      availablePoints: 200n,
    });
  });

  it('lets an unguarded account (issuance) go negative', () => {
    const plan = run('credit', 1n, empty(false), empty(true));
    expect(availablePoints(plan.debitAccount)).toBe(-1n);
  });

  it('stops loudly on a void of more than is pending', () => {
    expect(() => planLedgerOperation('void', 1n, empty(true), empty(false))).toThrow(/invariant/);
  });

  it("keeps no pending counters on a programme's own account, and still balances", () => {
    const clearing = { ...empty(false), countersKept: false };
    const member = run('credit', 100n, empty(false), empty(true)).creditAccount;
    const reserved = run('reserve', 100n, member, clearing);
    const posted = run('post', 100n, reserved.debitAccount, clearing);
    expect(posted.debitAccount).toMatchObject({ debitsPending: 0n, debitsPosted: 100n });
  });
});
