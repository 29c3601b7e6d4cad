// Transfers: created from a quote in one transaction that also spends the quote and binds the
// request's Idempotency-Key to the new transfer, then driven by their workflow, which records each
// step here. Completion writes the settlement obligations and the webhooks in the same transaction
// as the status, so none of them can exist without the others.
import { type Kysely, sql, type Transaction } from 'kysely';
import { requireTransferRequester } from '../domain/consent.ts';
import { ProblemError } from '../domain/errors.ts';
import type { Database, Transfer, TransferStatus, TransferStep } from './database.ts';
import { bindIdempotencyEffect } from './idempotency.ts';
import { newId } from './ids.ts';
import { requireTransferLink } from './members.ts';
import { debitedTodaySourcePoints, insertQuote, type PricedQuote } from './quotes.ts';
import { enqueueTransferWebhooks } from './webhooks.ts';

export interface StartedTransfer {
  transfer: Transfer;
  /** False when the quote had already started this transfer under another key: a repeat. */
  created: boolean;
}

/** A quote made earlier, or one priced for this request and stored with its transfer. */
export type TransferQuote = { quoteId: string } | { pricedQuote: PricedQuote };

export interface CreateTransferInput {
  partnerId: string;
  quote: TransferQuote;
  /** The request's claimed Idempotency-Key, bound to the transfer in the same transaction. */
  idempotency: { principal: string; key: string };
  now: Date;
}

/** Another run of the same key created its transfer first; this run's writes are rolled back. */
class KeyAlreadyBound extends Error {
  readonly transferId: string;
  constructor(transferId: string) {
    super(`the Idempotency-Key already created transfer ${transferId}`);
    this.transferId = transferId;
  }
}

export async function createTransfer(
  db: Kysely<Database>,
  input: CreateTransferInput,
): Promise<StartedTransfer> {
  try {
    return await db.transaction().execute((trx) => createInTransaction(trx, input));
  } catch (error) {
    if (!(error instanceof KeyAlreadyBound)) throw error;
    const transfer = await findTransfer(db, error.transferId);
    if (!transfer) throw new Error(`transfer ${error.transferId} bound to a key does not exist`);
    return { transfer, created: true };
  }
}

async function createInTransaction(
  trx: Transaction<Database>,
  input: CreateTransferInput,
): Promise<StartedTransfer> {
  let quoteId: string;
  if ('pricedQuote' in input.quote) {
    await insertQuote(trx, input.quote.pricedQuote, input.now);
    quoteId = input.quote.pricedQuote.id;
  } else {
    quoteId = input.quote.quoteId;
  }
  const quote = await trx
    .selectFrom('quotes')
    .selectAll()
    .where('id', '=', quoteId)
    .forUpdate()
    .executeTakeFirst();
  if (!quote || quote.requested_by !== input.partnerId) {
    throw new ProblemError('not_found', `Quote ${quoteId} does not exist.`, [
      { field: 'quoteId', message: 'unknown quote' },
    ]);
  }
  if (quote.used_by_transfer_id !== null) {
    const existing = await trx
      .selectFrom('transfers')
      .selectAll()
      .where('id', '=', quote.used_by_transfer_id)
      .executeTakeFirstOrThrow();
    return { transfer: existing, created: false };
  }
  if (quote.expires_at <= input.now) {
    throw new ProblemError(
      'quote_expired',
      `Quote ${quote.id} expired at ${quote.expires_at.toISOString()}; ask for a new one.`,
      [{ field: 'quoteId', message: 'expired' }],
    );
  }
  // Links may have been revoked since the quote; both ends must still be linked now.
  const sourceLink = await requireTransferLink(
    trx,
    quote.member_id,
    quote.source_program_id,
    'sourceProgramId',
  );
  const targetLink = await requireTransferLink(
    trx,
    quote.member_id,
    quote.target_program_id,
    'targetProgramId',
  );
  const owners = await trx
    .selectFrom('programs')
    .select(['id', 'partner_id'])
    .where('id', 'in', [quote.source_program_id, quote.target_program_id])
    .execute();
  const ownerOf = (programId: string) => owners.find((owner) => owner.id === programId)?.partner_id ?? '';
  // A pull needs the member's consent at the source still now, as when the quote was made.
  requireTransferRequester({
    requesterPartnerId: input.partnerId,
    sourcePartnerId: ownerOf(quote.source_program_id),
    targetPartnerId: ownerOf(quote.target_program_id),
    sourceConsentScopes: sourceLink.consent_scopes,
  });
  // Serialise this member's transfers out of this programme, so the daily cap counts every one.
  await trx.selectFrom('member_links').select('id').where('id', '=', sourceLink.id).forUpdate().execute();
  const debitedToday = await debitedTodaySourcePoints(
    trx,
    quote.member_id,
    quote.source_program_id,
    input.now,
  );
  if (debitedToday + quote.debit_points > quote.daily_cap_source_points) {
    throw new ProblemError(
      'daily_cap_exceeded',
      `Other transfers used the member's cap since quote ${quote.id} was made.`,
    );
  }
  const transferId = newId('trf');
  const boundTo = await bindIdempotencyEffect(trx, { ...input.idempotency, effectId: transferId });
  if (boundTo !== transferId) throw new KeyAlreadyBound(boundTo);
  const transfer = await trx
    .insertInto('transfers')
    .values({
      id: transferId,
      quote_id: quote.id,
      requested_by: input.partnerId,
      member_id: quote.member_id,
      source_program_id: quote.source_program_id,
      target_program_id: quote.target_program_id,
      source_account_ref: sourceLink.account_ref,
      target_account_ref: targetLink.account_ref,
      debit_points: quote.debit_points,
      credit_points: quote.credit_points,
      status: 'pending',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx
    .updateTable('quotes')
    .set({ used_by_transfer_id: transferId })
    .where('id', '=', quote.id)
    .execute();
  await trx
    .insertInto('transfer_steps')
    .values({ transfer_id: transferId, step: 'created', outcome: 'done', detail: `quote ${quote.id}` })
    .execute();
  return { transfer, created: true };
}

/**
 * Transfers accepted but possibly never started: still pending and untouched for a while (the
 * process died between the commit and the workflow's start, or Temporal was unreachable). Paged by id.
 */
export async function listPendingTransferIds(
  db: Kysely<Database>,
  input: { untouchedSince: Date; afterId: string | null; limit: number },
): Promise<string[]> {
  let query = db
    .selectFrom('transfers')
    .select('id')
    .where('status', '=', 'pending')
    .where('updated_at', '<', input.untouchedSince)
    .orderBy('id')
    .limit(input.limit);
  if (input.afterId) query = query.where('id', '>', input.afterId);
  const rows = await query.execute();
  return rows.map((row) => row.id);
}

export async function findTransfer(db: Kysely<Database>, transferId: string): Promise<Transfer | undefined> {
  return db.selectFrom('transfers').selectAll().where('id', '=', transferId).executeTakeFirst();
}

export async function listTransferSteps(db: Kysely<Database>, transferId: string): Promise<TransferStep[]> {
  return db
    .selectFrom('transfer_steps')
    .selectAll()
    .where('transfer_id', '=', transferId)
    .orderBy('id')
    .execute();
}

/** The steps of many transfers at once, for a page of them: one query, not one per transfer. */
export async function listStepsOfTransfers(
  db: Kysely<Database>,
  transferIds: readonly string[],
): Promise<Map<string, TransferStep[]>> {
  const steps = new Map<string, TransferStep[]>(transferIds.map((id) => [id, []]));
  if (transferIds.length === 0) return steps;
  const rows = await db
    .selectFrom('transfer_steps')
    .selectAll()
    .where('transfer_id', 'in', [...transferIds])
    .orderBy('id')
    .execute();
  for (const row of rows) steps.get(row.transfer_id)?.push(row);
  return steps;
}

/** A partner's transfers (as either end, or as requester), newest first, after the cursor. */
export async function listPartnerTransfers(
  db: Kysely<Database>,
  input: { partnerId: string; cursor: string | null; limit: number },
): Promise<Transfer[]> {
  const own = db.selectFrom('programs').select('id').where('partner_id', '=', input.partnerId);
  let query = db
    .selectFrom('transfers')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('requested_by', '=', input.partnerId),
        eb('source_program_id', 'in', own),
        eb('target_program_id', 'in', own),
      ]),
    )
    .orderBy('id', 'desc')
    .limit(input.limit);
  if (input.cursor) query = query.where('id', '<', input.cursor);
  return query.execute();
}

/**
 * Records a step once (a retried activity records nothing twice) and moves the status, in one
 * statement: it is atomic without a transaction, and costs one round trip on the hot path.
 */
export async function recordTransferStep(
  db: Kysely<Database>,
  input: {
    transferId: string;
    step: string;
    outcome: string;
    detail?: string | null;
    status?: TransferStatus;
  },
): Promise<void> {
  await sql`
    with step as (
      insert into transfer_steps (transfer_id, step, outcome, detail)
      values (${input.transferId}, ${input.step}, ${input.outcome}, ${input.detail ?? null})
      on conflict (transfer_id, step, outcome) do nothing
    )
    update transfers set status = coalesce(${input.status ?? null}, status), updated_at = now()
    where id = ${input.transferId} and ${input.status ?? null}::text is not null
      and status not in ('completed', 'failed')`.execute(db);
}

export async function failTransfer(
  db: Kysely<Database>,
  input: { transferId: string; code: string; detail: string },
): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('transfer_steps')
      .values({ transfer_id: input.transferId, step: 'failed', outcome: input.code, detail: input.detail })
      .onConflict((conflict) => conflict.columns(['transfer_id', 'step', 'outcome']).doNothing())
      .execute();
    const failed = await trx
      .updateTable('transfers')
      .set({
        status: 'failed',
        failure_code: input.code,
        failure_detail: input.detail,
        updated_at: new Date(),
      })
      .where('id', '=', input.transferId)
      .where('status', 'not in', ['completed', 'failed'])
      .returningAll()
      .executeTakeFirst();
    return failed ? enqueueTransferWebhooks(trx, failed, 'transfer.failed') : [];
  });
}

/** Marks the transfer for finance: never dropped, always listed until someone resolves it. */
export async function flagTransferForFinance(
  db: Kysely<Database>,
  transferId: string,
  reason: string,
): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('finance_flags')
      .values({ transfer_id: transferId, reason })
      .onConflict((conflict) => conflict.columns(['transfer_id', 'reason']).doNothing())
      .execute();
    const flagged = await trx
      .updateTable('transfers')
      .set({
        status: 'needs_attention',
        failure_code: 'needs_attention',
        failure_detail: reason,
        updated_at: new Date(),
      })
      .where('id', '=', transferId)
      .where('status', '!=', 'needs_attention')
      .returningAll()
      .executeTakeFirst();
    await trx
      .insertInto('transfer_steps')
      .values({ transfer_id: transferId, step: 'flagged_for_finance', outcome: 'flagged', detail: reason })
      .onConflict((conflict) => conflict.columns(['transfer_id', 'step', 'outcome']).doNothing())
      .execute();
    return flagged ? enqueueTransferWebhooks(trx, flagged, 'transfer.needs_attention') : [];
  });
}

/**
 * Completes the transfer: the status, the settlement obligation (the source partner owes the
 * target partner), the alliance fee when the partner pays it, and the webhooks, all at once.
 * Returns the webhook deliveries to send; none when it was already completed.
 */
export async function completeTransfer(db: Kysely<Database>, transferId: string): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const transfer = await trx
      .selectFrom('transfers')
      .selectAll()
      .where('id', '=', transferId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (transfer.status === 'completed') return [];
    const quote = await trx
      .selectFrom('quotes')
      .selectAll()
      .where('id', '=', transfer.quote_id)
      .executeTakeFirstOrThrow();
    const owners = await trx
      .selectFrom('programs')
      .select(['id', 'partner_id'])
      .where('id', 'in', [transfer.source_program_id, transfer.target_program_id])
      .execute();
    const ownerOf = (programId: string) => owners.find((owner) => owner.id === programId)?.partner_id ?? '';
    const debtor = ownerOf(transfer.source_program_id);
    await trx
      .insertInto('settlement_obligations')
      .values([
        {
          transfer_id: transferId,
          kind: 'transfer' as const,
          debtor_partner_id: debtor,
          creditor_partner_id: ownerOf(transfer.target_program_id),
          amount_minor: quote.settlement_amount_minor,
          currency: quote.currency,
        },
        ...(quote.fee_amount_minor > 0n
          ? [
              {
                transfer_id: transferId,
                kind: 'alliance_fee' as const,
                debtor_partner_id: debtor,
                creditor_partner_id: null,
                amount_minor: quote.fee_amount_minor,
                currency: quote.currency,
              },
            ]
          : []),
      ])
      .onConflict((conflict) => conflict.columns(['transfer_id', 'kind']).doNothing())
      .execute();
    const completed = await trx
      .updateTable('transfers')
      .set({ status: 'completed', failure_code: null, failure_detail: null, updated_at: new Date() })
      .where('id', '=', transferId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('transfer_steps')
      .values({
        transfer_id: transferId,
        step: 'completed',
        outcome: 'done',
        detail: `settlement ${quote.settlement_amount_minor} ${quote.currency}`,
      })
      .onConflict((conflict) => conflict.columns(['transfer_id', 'step', 'outcome']).doNothing())
      .execute();
    return enqueueTransferWebhooks(trx, completed, 'transfer.completed');
  });
}
