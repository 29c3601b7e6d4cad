// Hosted ledger reports: balances, the zero-sum check, and a programme's operations as a partner
// system would list them.
import { sql } from 'kysely';
import { availablePoints } from '../../domain/ledger.ts';
import type { PartnerTransaction } from '../../domain/partner-transaction.ts';
import type { ExpiryProfile } from '../../domain/point-lots.ts';
import { balancesOf, type Db } from './accounts.ts';
import { accountsWithLotsOutOfBalance, availableProfile } from './lots.ts';

export interface AccountBalance {
  accountRef: string;
  availablePoints: bigint;
  postedPoints: bigint;
  pendingDebitPoints: bigint;
  /** What the available points are made of: when each part expires, soonest first (null: never). */
  expiryProfile: ExpiryProfile;
}

export async function readBalance(
  db: Db,
  programId: string,
  accountRef: string,
): Promise<AccountBalance | undefined> {
  const account = await db
    .selectFrom('ledger_accounts')
    .selectAll()
    .where('program_id', '=', programId)
    .where('account_ref', '=', accountRef)
    .executeTakeFirst();
  if (!account) return undefined;
  return {
    accountRef,
    availablePoints: availablePoints(balancesOf(account)),
    postedPoints: account.credits_posted - account.debits_posted,
    pendingDebitPoints: account.debits_pending,
    expiryProfile: await availableProfile(db, account.id),
  };
}

export interface LedgerCheck {
  /** The sum of every entry ever written: zero, always. */
  entriesSum: bigint;
  /**
   * Accounts keeping counters whose counters disagree with their entries, or whose lots do not hold
   * exactly their available points: none, always.
   */
  accountsOutOfBalance: bigint[];
}

/** The invariant check exposed to operators and run by the tests. */
export async function checkLedger(db: Db): Promise<LedgerCheck> {
  const total = await db
    .selectFrom('ledger_entries')
    .select(sql<bigint>`coalesce(sum(amount_points), 0)::int8`.as('sum'))
    .executeTakeFirstOrThrow();
  const mismatched = await sql<{ id: bigint }>`
    select a.id from ledger_accounts a
    left join (
      select account_id,
        coalesce(sum(amount_points) filter (where phase = 'pending'), 0) as pending,
        coalesce(sum(amount_points) filter (where phase = 'posted'), 0) as posted
      from ledger_entries group by account_id
    ) e on e.account_id = a.id
    where a.debits_must_not_exceed_credits
      and (coalesce(e.pending, 0) <> a.credits_pending - a.debits_pending
        or coalesce(e.posted, 0) <> a.credits_posted - a.debits_posted)`.execute(db);
  const lotsApart = await accountsWithLotsOutOfBalance(db);
  const accounts = [...new Set([...mismatched.rows.map((row) => row.id), ...lotsApart])];
  return { entriesSum: total.sum, accountsOutOfBalance: accounts.sort((a, b) => (a < b ? -1 : 1)) };
}

const operationNames = {
  reserve: 'reserve',
  post: 'post',
  void: 'void',
  credit: 'credit',
  reverse_credit: 'reverse',
} as const;

/**
 * The status a transaction list reports (the partner contract's words): a reservation is reserved
 * until posted, voided or expired; a credit is credited until reversed in full.
 */
function reportedStatus(operation: string, status: string): string {
  if (operation === 'reserve')
    return status === 'pending' ? 'reserved' : status === 'post_done' ? 'posted' : status;
  if (operation === 'credit') return status === 'posted' ? 'credited' : status;
  if (operation === 'reverse_credit') return 'reversed';
  if (operation === 'void') return 'voided';
  return status;
}

/** A programme's operations in [from, to), oldest first, as a partner system would report them. */
export async function listLedgerTransactions(
  db: Db,
  input: { programId: string; from: Date; to: Date; limit: number },
): Promise<PartnerTransaction[]> {
  const rows = await db
    .selectFrom('ledger_transfers as t')
    .leftJoin('ledger_accounts as member', (join) =>
      join
        .on('member.kind', '=', 'member')
        .on((eb) =>
          eb.or([
            eb('member.id', '=', eb.ref('t.debit_account_id')),
            eb('member.id', '=', eb.ref('t.credit_account_id')),
          ]),
        ),
    )
    .select(['t.key', 't.operation', 't.amount_points', 't.status', 't.created_at', 'member.account_ref'])
    .where('t.program_id', '=', input.programId)
    // Expiry is the programme's own business, not an exchange operation a partner system reports.
    .where('t.operation', 'not in', ['abandon', 'expire'])
    .where('t.created_at', '>=', input.from)
    .where('t.created_at', '<', input.to)
    .orderBy('t.created_at')
    .orderBy('t.id')
    .limit(input.limit)
    .execute();
  return rows.map((row) => ({
    key: row.key,
    operation: operationNames[row.operation as keyof typeof operationNames],
    accountRef: row.account_ref,
    points: row.amount_points,
    status: reportedStatus(row.operation, row.status),
    at: row.created_at,
  }));
}
