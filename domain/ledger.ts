// Double-entry rules of the hosted ledger, after TigerBeetle: an account counts debits and credits,
// pending and posted; every operation writes balanced entries (their sum is zero) and moves those
// counters. A member account may never have more debits (pending and posted) than posted credits.
import { assert } from './arithmetic.ts';

export interface AccountBalances {
  debitsPending: bigint;
  debitsPosted: bigint;
  creditsPending: bigint;
  creditsPosted: bigint;
  debitsMustNotExceedCredits: boolean;
  /**
   * False for an account whose balance is only the sum of its entries: a programme's own accounts,
   * which have no limit to enforce and which every operation of the programme touches (so counters in
   * their row would make every operation wait on that one row).
   */
  countersKept: boolean;
}

/** expire: points whose lot reached its end leave the member for the programme's issuance account. */
export type LedgerOperationKind = 'credit' | 'reserve' | 'post' | 'void' | 'reverse_credit' | 'expire';

export interface PlannedEntry {
  /** Which side's account the entry lands on. */
  account: 'debit' | 'credit';
  phase: 'pending' | 'posted';
  /** Negative on the debited account, positive on the credited one. */
  amountPoints: bigint;
}

export type LedgerPlan =
  | { ok: true; entries: PlannedEntry[]; debitAccount: AccountBalances; creditAccount: AccountBalances }
  | { ok: false; reason: 'insufficient_points'; availablePoints: bigint };

export function availablePoints(account: AccountBalances): bigint {
  return account.creditsPosted - account.debitsPosted - account.debitsPending;
}

function entry(account: 'debit' | 'credit', phase: 'pending' | 'posted', amountPoints: bigint): PlannedEntry {
  return { account, phase, amountPoints };
}

/** An account that enforces a limit keeps counters; one without a limit needs none. */
export function keepsCounters(debitsMustNotExceedCredits: boolean): boolean {
  return debitsMustNotExceedCredits;
}

const rules: Record<
  LedgerOperationKind,
  (amount: bigint) => {
    entries: PlannedEntry[];
    debit: Partial<Record<'debitsPending' | 'debitsPosted', bigint>>;
    credit: Partial<Record<'creditsPending' | 'creditsPosted', bigint>>;
  }
> = {
  credit: (a) => ({
    entries: [entry('debit', 'posted', -a), entry('credit', 'posted', a)],
    debit: { debitsPosted: a },
    credit: { creditsPosted: a },
  }),
  reserve: (a) => ({
    entries: [entry('debit', 'pending', -a), entry('credit', 'pending', a)],
    debit: { debitsPending: a },
    credit: { creditsPending: a },
  }),
  post: (a) => ({
    entries: [
      entry('debit', 'pending', a),
      entry('credit', 'pending', -a),
      entry('debit', 'posted', -a),
      entry('credit', 'posted', a),
    ],
    debit: { debitsPending: -a, debitsPosted: a },
    credit: { creditsPending: -a, creditsPosted: a },
  }),
  void: (a) => ({
    entries: [entry('debit', 'pending', a), entry('credit', 'pending', -a)],
    debit: { debitsPending: -a },
    credit: { creditsPending: -a },
  }),
  reverse_credit: (a) => ({
    entries: [entry('debit', 'posted', -a), entry('credit', 'posted', a)],
    debit: { debitsPosted: a },
    credit: { creditsPosted: a },
  }),
  expire: (a) => ({
    entries: [entry('debit', 'posted', -a), entry('credit', 'posted', a)],
    debit: { debitsPosted: a },
    credit: { creditsPosted: a },
  }),
};

/**
 * Plans an operation between two accounts (for post and void, the accounts of the reservation):
 * the entries to write and both accounts' counters after it, or a refusal.
 */
export function planLedgerOperation(
  kind: LedgerOperationKind,
  amountPoints: bigint,
  debitAccount: AccountBalances,
  creditAccount: AccountBalances,
): LedgerPlan {
  assert(amountPoints > 0n, 'a ledger operation moves a positive amount');
  const rule = rules[kind](amountPoints);
  assert(rule.entries.reduce((sum, planned) => sum + planned.amountPoints, 0n) === 0n, 'entries balance');
  const debitAfter: AccountBalances = {
    ...debitAccount,
    debitsPending: debitAccount.debitsPending + (rule.debit.debitsPending ?? 0n),
    debitsPosted: debitAccount.debitsPosted + (rule.debit.debitsPosted ?? 0n),
  };
  const creditAfter: AccountBalances = {
    ...creditAccount,
    creditsPending: creditAccount.creditsPending + (rule.credit.creditsPending ?? 0n),
    creditsPosted: creditAccount.creditsPosted + (rule.credit.creditsPosted ?? 0n),
  };
  assert(
    (!debitAfter.countersKept || debitAfter.debitsPending >= 0n) &&
      (!creditAfter.countersKept || creditAfter.creditsPending >= 0n),
    'pending counters stay non-negative',
  );
  if (debitAfter.debitsMustNotExceedCredits && availablePoints(debitAfter) < 0n) {
    return { ok: false, reason: 'insufficient_points', availablePoints: availablePoints(debitAccount) };
  }
  return { ok: true, entries: rule.entries, debitAccount: debitAfter, creditAccount: creditAfter };
}
