// A transfer between two hosted programmes, written inside the caller's transaction: the source's
// reservation, the target's credit and the post, under the very keys a two-phase transfer uses
// (`<transferId>:reserve`, `:credit`, `:post`), so reversals, reconciliation and the conservation
// monitor read it as they read any other. Nothing here commits: a refusal writes no ledger row, and
// whatever the caller writes beside it (the transfer, its steps, the obligation) commits with it.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { ExpiryProfile } from '../../domain/point-lots.ts';
import type { Database } from '../database.ts';
import { ensureAccount, type LedgerAccountIds } from './accounts.ts';
import { expireAccountLotsWithNotice } from './expiry.ts';
import { takeLots } from './lots.ts';
import { type LedgerAnswer, move } from './movements.ts';
import { postInOneStatement, reserveInOneStatement } from './one-statement.ts';
import { creditPoints, expireOverdueReservations } from './operations.ts';

export interface DirectTransferLedger {
  transferId: string;
  source: { programId: string; accountRef: string; points: bigint };
  target: { programId: string; accountRef: string; points: bigint };
  now: Date;
}

/** The programme accounts a direct transfer touches, opened and committed before its transaction. */
export interface DirectTransferAccounts {
  sourceClearing: bigint;
  sourceIssuance: bigint;
}

/**
 * Opens (once per process: the ids are remembered) the source programme's own accounts, outside any
 * money transaction, so that an id is only ever remembered once committed.
 */
export async function directTransferAccounts(
  db: Kysely<Database>,
  accountIds: LedgerAccountIds,
  sourceProgramId: string,
  targetProgramId: string,
): Promise<DirectTransferAccounts> {
  const [sourceClearing, sourceIssuance] = await Promise.all([
    accountIds.system(db, sourceProgramId, 'alliance_clearing'),
    accountIds.system(db, sourceProgramId, 'issuance'),
    accountIds.system(db, targetProgramId, 'issuance'),
  ]);
  return { sourceClearing, sourceIssuance };
}

const key = (transferId: string, step: 'reserve' | 'credit' | 'post') => `${transferId}:${step}`;

/**
 * Holds the source member's points, soonest expiry first: one statement when the case is plain, the
 * transactional path's rules otherwise (overdue reservations and due lots expired first, the
 * counters locked and checked). The account's lock is held until the caller's transaction ends.
 */
async function reserve(
  trx: Transaction<Database>,
  input: DirectTransferLedger,
  accounts: DirectTransferAccounts,
  expiresAt: Date,
): Promise<LedgerAnswer> {
  const { programId, accountRef, points } = input.source;
  const reason = `alliance transfer ${input.transferId} out`;
  const common = { programId, key: key(input.transferId, 'reserve'), accountRef, points, expiresAt, reason };
  const plain = await reserveInOneStatement(trx, {
    ...common,
    clearingAccountId: accounts.sourceClearing,
    now: input.now,
  });
  if (plain) return plain;
  const member = await trx
    .selectFrom('ledger_accounts')
    .select('id')
    .where('program_id', '=', programId)
    .where('account_ref', '=', accountRef)
    .where('kind', '=', 'member')
    .executeTakeFirst();
  if (!member) return { outcome: 'refused', code: 'account_unknown', detail: `no account ${accountRef}` };
  await expireOverdueReservations(trx, { debitAccountId: member.id, now: input.now });
  await expireAccountLotsWithNotice(trx, {
    account: { accountId: member.id, programId, accountRef },
    issuanceAccountId: accounts.sourceIssuance,
    now: input.now,
  });
  return move(trx, {
    ...common,
    kind: 'reserve',
    debitAccountId: member.id,
    creditAccountId: accounts.sourceClearing,
    amountPoints: points,
    status: 'pending',
    pendingTransferId: null,
    takeLots: (inner) => takeLots(inner, member.id, points),
  });
}

export type DirectTransferOutcome =
  | { outcome: 'done'; paidWith: ExpiryProfile }
  | { outcome: 'refused'; code: string; detail: string };

/**
 * Reserves at the source, credits the target (its lots carrying `creditExpiry` of what paid) and
 * posts the reservation, all in `trx`. A refusal (too few points, no account) comes from the
 * reservation, before anything is written.
 */
export async function settleDirectTransfer(
  trx: Transaction<Database>,
  accountIds: LedgerAccountIds,
  input: DirectTransferLedger & {
    accounts: DirectTransferAccounts;
    /** The credit's expiry portions from what paid (domain/transfer-expiry-profiles.ts). */
    creditExpiry: (paidWith: ExpiryProfile) => Promise<ExpiryProfile>;
  },
): Promise<DirectTransferOutcome> {
  // Posted in this same transaction: the reservation's end only matters to a reader of its record.
  const expiresAt = new Date(input.now.getTime() + 3_600_000);
  const reserved = await reserve(trx, input, input.accounts, expiresAt);
  if (reserved.outcome === 'refused') return reserved;
  const paidWith = reserved.expiryProfile ?? [];
  const { programId, accountRef, points } = input.target;
  // Opened here, not through the remembered ids: a rolled-back opening must never be remembered.
  const targetMember = await ensureAccount(trx, programId, accountRef, 'member');
  const expiry = paidWith.length > 0 ? await input.creditExpiry(paidWith) : null;
  const credited = await creditPoints(
    trx,
    { ...accountIds, member: async () => targetMember },
    {
      programId,
      key: key(input.transferId, 'credit'),
      accountRef,
      points,
      reason: `alliance transfer ${input.transferId} in`,
      carriedExpiry: expiry ?? undefined,
      now: input.now,
    },
  );
  if (credited.outcome !== 'done' || credited.replayed)
    throw new Error(`direct transfer ${input.transferId}: its credit key was used before`);
  const posted = await postInOneStatement(trx, {
    programId: input.source.programId,
    key: key(input.transferId, 'post'),
    reservationKey: key(input.transferId, 'reserve'),
    reason: 'transfer posted',
    now: input.now,
  });
  if (!posted)
    throw new Error(`direct transfer ${input.transferId}: its own reservation could not be posted`);
  return { outcome: 'done', paidWith };
}

/** The two programmes a stored quote moves points between, if it exists. */
export async function quotePrograms(
  db: Kysely<Database>,
  quoteId: string,
): Promise<{ sourceProgramId: string; targetProgramId: string } | undefined> {
  const row = await db
    .selectFrom('quotes')
    .select(['source_program_id', 'target_program_id'])
    .where('id', '=', quoteId)
    .executeTakeFirst();
  return row && { sourceProgramId: row.source_program_id, targetProgramId: row.target_program_id };
}

/**
 * The steps a workflow records for the three ledger moves (reserve, credit, post, each done), the
 * transfer's status and reservation end, and what paid for it (`transfer_expiry_profiles`, as a
 * source's reserve answer is kept), in one statement instead of four.
 */
export async function recordDirectSteps(
  trx: Transaction<Database>,
  transferId: string,
  paidWith: ExpiryProfile,
): Promise<void> {
  const profile = JSON.stringify(
    paidWith.map((portion) => ({
      points: String(portion.points),
      expiresAt: portion.expiresAt?.toISOString() ?? null,
    })),
  );
  await sql`
    with
    steps as (
      insert into transfer_steps (transfer_id, step, outcome)
      values (${transferId}, 'reserve', 'done'), (${transferId}, 'credit', 'done'), (${transferId}, 'post', 'done')
      on conflict (transfer_id, step, outcome) do nothing
    ),
    profile as (
      insert into transfer_expiry_profiles (transfer_id, profile, reported_at)
      select ${transferId}, ${profile}::jsonb, now() where ${paidWith.length > 0}::boolean
      on conflict (transfer_id) do nothing
    )
    update transfers set status = 'credited', updated_at = now(), reservation_end = 'posted'
    where id = ${transferId}`.execute(trx);
}
