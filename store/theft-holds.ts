// Theft holds as stored: each programme's policy, what a member did lately (one statement), and the
// hold of each held transfer. A hold and its transfer's status always change together, in one
// transaction, the hold's row first: released (the transfer becomes pending, for its workflow to
// start), cancelled or expired (the transfer fails, having moved nothing, and its `transfer.failed`
// webhooks are queued with it: the requester was answered `held` and awaits them).
import { type Kysely, sql, type Transaction } from 'kysely';
import type { FiredSignal, MemberActivity, TheftAssessment, TheftPolicy } from '../domain/theft-signals.ts';
import type { Database, TransferHoldStatus } from './database.ts';
import { enqueueTransferWebhooks } from './webhooks.ts';

export interface TransferHold {
  transferId: string;
  programId: string;
  score: number;
  threshold: number;
  signals: FiredSignal[];
  status: TransferHoldStatus;
  expiresAt: Date;
  decidedAt: Date | null;
  decidedBy: string | null;
  createdAt: Date;
}

export const holdFailureCodes = { cancelled: 'theft_hold_cancelled', expired: 'theft_hold_expired' } as const;

function toHold(row: {
  transfer_id: string;
  program_id: string;
  score: number;
  threshold: number;
  signals: unknown;
  status: TransferHoldStatus;
  expires_at: Date;
  decided_at: Date | null;
  decided_by: string | null;
  created_at: Date;
}): TransferHold {
  return {
    transferId: row.transfer_id,
    programId: row.program_id,
    score: row.score,
    threshold: row.threshold,
    signals: row.signals as FiredSignal[],
    status: row.status,
    expiresAt: row.expires_at,
    decidedAt: row.decided_at,
    decidedBy: row.decided_by,
    createdAt: row.created_at,
  };
}

export async function readTheftPolicy(db: Kysely<Database>, programId: string): Promise<TheftPolicy | null> {
  const row = await db
    .selectFrom('theft_hold_policies')
    .select(['threshold', 'hold_expiry_seconds', 'signals'])
    .where('program_id', '=', programId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    threshold: row.threshold,
    holdExpirySeconds: row.hold_expiry_seconds,
    signals: row.signals as TheftPolicy['signals'],
  };
}

export async function setTheftPolicy(
  db: Kysely<Database>,
  programId: string,
  policy: TheftPolicy,
): Promise<void> {
  const values = {
    threshold: policy.threshold,
    hold_expiry_seconds: policy.holdExpirySeconds,
    signals: JSON.stringify(policy.signals),
  };
  await db
    .insertInto('theft_hold_policies')
    .values({ program_id: programId, ...values })
    .onConflict((conflict) =>
      conflict.column('program_id').doUpdateSet({ ...values, updated_at: sql`now()` }),
    )
    .execute();
}

export async function deleteTheftPolicy(db: Kysely<Database>, programId: string): Promise<void> {
  await db.deleteFrom('theft_hold_policies').where('program_id', '=', programId).execute();
}

/**
 * The member's links made and transfers created since `since` (earlier transfers, at most the last
 * hundred, which any burst threshold worth setting is under), and the available balance at the
 * source when the gateway keeps it: what the theft signals read, in one statement.
 */
export async function readMemberActivity(
  trx: Transaction<Database>,
  input: { memberId: string; sourceProgramId: string; sourceAccountRef: string; since: Date },
): Promise<Pick<MemberActivity, 'linkedAt' | 'transferredAt' | 'sourceBalancePoints'>> {
  const { rows } = await sql<{ linked_at: Date[]; transferred_at: Date[]; balance: bigint | null }>`
    select
      coalesce((select array_agg(l.linked_at) from member_links l
        where l.member_id = ${input.memberId} and l.linked_at > ${input.since}), '{}') as linked_at,
      coalesce((select array_agg(t.created_at) from (
        select created_at from transfers
        where member_id = ${input.memberId} and created_at > ${input.since}
        order by created_at desc limit 100) t), '{}') as transferred_at,
      (select a.credits_posted - a.debits_posted - a.debits_pending from ledger_accounts a
        where a.program_id = ${input.sourceProgramId} and a.account_ref = ${input.sourceAccountRef}
          and a.kind = 'member') as balance`.execute(trx);
  const row = rows[0];
  return {
    linkedAt: (row?.linked_at ?? []).map((at) => new Date(at)),
    transferredAt: (row?.transferred_at ?? []).map((at) => new Date(at)),
    sourceBalancePoints: row?.balance ?? null,
  };
}

/** Holds a transfer just inserted as held, with the step that says why, in its creation's transaction. */
export async function insertHold(
  trx: Transaction<Database>,
  input: { transferId: string; programId: string; assessment: TheftAssessment; expiresAt: Date },
): Promise<TransferHold> {
  const { assessment } = input;
  const row = await trx
    .insertInto('transfer_holds')
    .values({
      transfer_id: input.transferId,
      program_id: input.programId,
      score: assessment.score,
      threshold: assessment.threshold,
      signals: JSON.stringify(assessment.signals),
      status: 'held',
      expires_at: input.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('transfer_steps')
    .values({
      transfer_id: input.transferId,
      step: 'held',
      outcome: 'held',
      detail: `score ${assessment.score} of ${assessment.threshold}: ${assessment.signals
        .map((signal) => signal.signal)
        .join(', ')}`,
    })
    .execute();
  return toHold(row);
}

export async function findHold(db: Kysely<Database>, transferId: string): Promise<TransferHold | undefined> {
  const row = await db
    .selectFrom('transfer_holds')
    .selectAll()
    .where('transfer_id', '=', transferId)
    .executeTakeFirst();
  return row && toHold(row);
}

/** The holds of a page of transfers, in one query. */
export async function holdsOfTransfers(
  db: Kysely<Database>,
  transferIds: readonly string[],
): Promise<Map<string, TransferHold>> {
  if (transferIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('transfer_holds')
    .selectAll()
    .where('transfer_id', 'in', [...transferIds])
    .execute();
  return new Map(rows.map((row) => [row.transfer_id, toHold(row)]));
}

/** Holds on transfers out of the partner's programmes, newest first; of one status when given. */
export async function listPartnerHolds(
  db: Kysely<Database>,
  input: { partnerId: string; status: TransferHoldStatus | null; cursor: string | null; limit: number },
): Promise<TransferHold[]> {
  let query = db
    .selectFrom('transfer_holds')
    .selectAll('transfer_holds')
    .where(
      'program_id',
      'in',
      db.selectFrom('programs').select('id').where('partner_id', '=', input.partnerId),
    )
    .orderBy('transfer_id', 'desc')
    .limit(input.limit);
  if (input.status) query = query.where('status', '=', input.status);
  if (input.cursor) query = query.where('transfer_id', '<', input.cursor);
  return (await query.execute()).map(toHold);
}

/**
 * Releases a hold still open and not expired: the transfer becomes pending (its workflow is
 * started next, or by the stranded-transfer sweep). False when the hold was not open.
 */
export async function releaseHold(
  trx: Transaction<Database>,
  input: { transferId: string; partnerId: string; now: Date },
): Promise<boolean> {
  const released = await trx
    .updateTable('transfer_holds')
    .set({ status: 'released', decided_at: input.now, decided_by: input.partnerId })
    .where('transfer_id', '=', input.transferId)
    .where('status', '=', 'held')
    .where('expires_at', '>', input.now)
    .returning('transfer_id')
    .executeTakeFirst();
  if (!released) return false;
  await trx
    .updateTable('transfers')
    .set({ status: 'pending', updated_at: input.now })
    .where('id', '=', input.transferId)
    .where('status', '=', 'held')
    .execute();
  await trx
    .insertInto('transfer_steps')
    .values({
      transfer_id: input.transferId,
      step: 'hold_released',
      outcome: 'done',
      detail: `by ${input.partnerId}`,
    })
    .execute();
  return true;
}

/** Cancels an open hold: the transfer fails, having moved nothing. False when the hold was not open. */
export async function cancelHold(
  trx: Transaction<Database>,
  input: { transferId: string; partnerId: string; now: Date },
): Promise<boolean> {
  const cancelled = await trx
    .updateTable('transfer_holds')
    .set({ status: 'cancelled', decided_at: input.now, decided_by: input.partnerId })
    .where('transfer_id', '=', input.transferId)
    .where('status', '=', 'held')
    .returning('transfer_id')
    .executeTakeFirst();
  if (!cancelled) return false;
  const detail = `the hold was cancelled by ${input.partnerId}`;
  const failed = await trx
    .updateTable('transfers')
    .set({
      status: 'failed',
      failure_code: holdFailureCodes.cancelled,
      failure_detail: detail,
      updated_at: input.now,
    })
    .where('id', '=', input.transferId)
    .where('status', '=', 'held')
    .returningAll()
    .executeTakeFirst();
  await trx
    .insertInto('transfer_steps')
    .values({ transfer_id: input.transferId, step: 'failed', outcome: holdFailureCodes.cancelled, detail })
    .execute();
  if (failed) await enqueueTransferWebhooks(trx, failed, 'transfer.failed');
  return true;
}

/**
 * Expires up to `limit` holds nobody acted on by `now`, each with its transfer failed, the step that
 * says so and its webhooks queued, in one transaction (rows another run has locked are left to it).
 * Returns the transfers.
 */
export function expireHolds(db: Kysely<Database>, input: { now: Date; limit: number }): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const failed = await failExpiredHolds(trx, input);
    for (const transferId of failed) {
      const transfer = await trx
        .selectFrom('transfers')
        .selectAll()
        .where('id', '=', transferId)
        .executeTakeFirstOrThrow();
      await enqueueTransferWebhooks(trx, transfer, 'transfer.failed');
    }
    return failed;
  });
}

async function failExpiredHolds(
  trx: Transaction<Database>,
  input: { now: Date; limit: number },
): Promise<string[]> {
  const detail = 'nobody released the hold before it expired';
  const { rows } = await sql<{ id: string }>`
    with expired as (
      update transfer_holds set status = 'expired', decided_at = ${input.now}
      where transfer_id in (
        select transfer_id from transfer_holds
        where status = 'held' and expires_at <= ${input.now}
        order by expires_at limit ${input.limit}
        for update skip locked)
      returning transfer_id
    ),
    failed as (
      update transfers t
      set status = 'failed', failure_code = ${holdFailureCodes.expired}, failure_detail = ${detail},
        updated_at = ${input.now}
      from expired e where t.id = e.transfer_id and t.status = 'held'
      returning t.id
    ),
    steps as (
      insert into transfer_steps (transfer_id, step, outcome, detail)
      select id, 'failed', ${holdFailureCodes.expired}, ${detail} from failed
      on conflict (transfer_id, step, outcome) do nothing
    )
    select id from failed`.execute(trx);
  return rows.map((row) => row.id);
}
