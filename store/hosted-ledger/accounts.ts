// Hosted ledger accounts: opened on first use, their ids remembered (they never change once
// committed), and locked in id order when an operation must read their counters.
import type { Kysely, Transaction } from 'kysely';
import { LRUCache } from 'lru-cache';
import { assert } from '../../domain/arithmetic.ts';
import { type AccountBalances, keepsCounters } from '../../domain/ledger.ts';
import type { Database, LedgerAccount, LedgerAccountKind } from '../database.ts';
import { createExpiryRuleCache } from './lots.ts';

export const issuanceRef = '__issuance__';
export const clearingRef = '__alliance_clearing__';

export type Db = Kysely<Database> | Transaction<Database>;

export function balancesOf(account: LedgerAccount): AccountBalances {
  return {
    debitsPending: account.debits_pending,
    debitsPosted: account.debits_posted,
    creditsPending: account.credits_pending,
    creditsPosted: account.credits_posted,
    debitsMustNotExceedCredits: account.debits_must_not_exceed_credits,
    countersKept: keepsCounters(account.debits_must_not_exceed_credits),
  };
}

/** A programme's own accounts have no limit and keep no counters (see AccountBalances.countersKept). */
export const uncounted: AccountBalances = {
  debitsPending: 0n,
  debitsPosted: 0n,
  creditsPending: 0n,
  creditsPosted: 0n,
  debitsMustNotExceedCredits: false,
  countersKept: false,
};

/**
 * Account ids a process remembers: they never change once committed, and accounts are never
 * deleted, so a remembered id is never wrong. Bounded (least recently used first out); made by
 * the process that owns it (the gateway, the worker) and passed to the operations that use it.
 */
export function createLedgerAccountIds(options: { accountsMax?: number } = {}) {
  const ids = new LRUCache<string, bigint>({ max: options.accountsMax ?? 50_000 });
  async function remembered(key: string, open: () => Promise<bigint>): Promise<bigint> {
    const known = ids.get(key);
    if (known !== undefined) return known;
    const id = await open();
    ids.set(key, id);
    return id;
  }
  return {
    /** The programme's expiry rule for the lots its credits make, remembered for a few seconds. */
    expiryRule: createExpiryRuleCache(),
    /** A member's account, opened on first use (committed before it is remembered). */
    member(db: Kysely<Database>, programId: string, accountRef: string): Promise<bigint> {
      return remembered(`${programId} member ${accountRef}`, () =>
        ensureAccount(db, programId, accountRef, 'member'),
      );
    },
    /**
     * The programme's own account of this kind, made (and committed) outside any money transaction,
     * so that its id can be remembered.
     */
    system(db: Kysely<Database>, programId: string, kind: 'issuance' | 'alliance_clearing'): Promise<bigint> {
      return remembered(`${programId} ${kind}`, () =>
        ensureAccount(db, programId, kind === 'issuance' ? issuanceRef : clearingRef, kind),
      );
    },
  };
}

export type LedgerAccountIds = ReturnType<typeof createLedgerAccountIds>;

/** Finds or opens an account; member accounts may never go below zero, the programme's own may. */
export async function ensureAccount(
  db: Db,
  programId: string,
  accountRef: string,
  kind: LedgerAccountKind,
): Promise<bigint> {
  const find = () =>
    db
      .selectFrom('ledger_accounts')
      .select(['id', 'kind'])
      .where('program_id', '=', programId)
      .where('account_ref', '=', accountRef)
      .executeTakeFirst();
  // Looked up first, so that finding an existing account consumes no id from the sequence.
  const row =
    (await find()) ??
    (await db
      .insertInto('ledger_accounts')
      .values({
        program_id: programId,
        account_ref: accountRef,
        kind,
        debits_must_not_exceed_credits: kind === 'member',
      })
      .onConflict((conflict) => conflict.columns(['program_id', 'account_ref']).doNothing())
      .returning(['id', 'kind'])
      .executeTakeFirst()) ??
    // Opened by a concurrent caller between the look-up and the insert.
    (await find());
  assert(row, `account ${accountRef} could not be opened`);
  assert(row.kind === kind, `account ${accountRef} is a ${row.kind} account`);
  return row.id;
}

/** Locks, in id order, the accounts that keep counters; the programme's own accounts are not locked. */
export async function lockCountedAccounts(
  trx: Transaction<Database>,
  ids: bigint[],
): Promise<Map<bigint, LedgerAccount>> {
  const rows = await trx
    .selectFrom('ledger_accounts')
    .selectAll()
    .where('id', 'in', ids)
    .where('debits_must_not_exceed_credits', '=', true)
    .orderBy('id')
    .forUpdate()
    .execute();
  return new Map(rows.map((row) => [row.id, row]));
}
