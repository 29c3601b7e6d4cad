// Transfers as stored: created (services/transfers.ts decides when) in one transaction that also
// spends the quote and binds the request's Idempotency-Key, then driven by their workflow, which
// records each step here. Completion writes the settlement obligations and the webhooks in the same
// transaction as the status, so none of them can exist without the others.
import { type Insertable, type Kysely, sql, type Transaction } from 'kysely';
import type { Database, Quote, Transfer, TransferStatus, TransferStep, TransfersTable } from './database.ts';
import { openCycleId, openCycleSharedLock } from './settlement.ts';
import {
  enqueueTransferWebhooks,
  insertDeliveries,
  pendingDeliveriesOf,
  transferEventPayload,
} from './webhooks.ts';

/** The quote, locked until the transaction ends, so that one quote starts at most one transfer. */
export async function lockQuote(trx: Transaction<Database>, quoteId: string): Promise<Quote | undefined> {
  return trx.selectFrom('quotes').selectAll().where('id', '=', quoteId).forUpdate().executeTakeFirst();
}

/**
 * The partners at both ends of a transfer with their statuses now, and the source partner's exposure
 * cap in its currency, in one read.
 */
export async function transferParties(
  db: Kysely<Database>,
  input: { sourceProgramId: string; targetProgramId: string; currency: string },
): Promise<{
  sourcePartnerId: string;
  targetPartnerId: string;
  sourcePartnerActive: boolean;
  targetPartnerActive: boolean;
  sourceCapMinor: bigint | null;
}> {
  const row = await db
    .selectFrom('programs as source')
    .innerJoin('programs as target', (join) => join.on('target.id', '=', input.targetProgramId))
    .innerJoin('partners as sourcePartner', 'sourcePartner.id', 'source.partner_id')
    .innerJoin('partners as targetPartner', 'targetPartner.id', 'target.partner_id')
    .leftJoin('exposure_caps as cap', (join) =>
      join.onRef('cap.partner_id', '=', 'source.partner_id').on('cap.currency', '=', input.currency),
    )
    .select([
      'source.partner_id as sourcePartnerId',
      'target.partner_id as targetPartnerId',
      'sourcePartner.status as sourceStatus',
      'targetPartner.status as targetStatus',
      'cap.cap_minor',
    ])
    .where('source.id', '=', input.sourceProgramId)
    .executeTakeFirstOrThrow();
  return {
    sourcePartnerId: row.sourcePartnerId,
    targetPartnerId: row.targetPartnerId,
    sourcePartnerActive: row.sourceStatus === 'active',
    targetPartnerActive: row.targetStatus === 'active',
    sourceCapMinor: row.cap_minor,
  };
}

/**
 * Writes a new transfer, spends its quote (unless it was written spent: `quoteSpent`) and records its
 * first step, in one statement.
 */
export async function insertTransfer(
  trx: Transaction<Database>,
  values: Insertable<TransfersTable> & { id: string; quote_id: string; quoteSpent?: boolean },
): Promise<Transfer> {
  const { quoteSpent = false, ...row } = values;
  const transfer = await trx
    .with('spent', (db) =>
      db
        .updateTable('quotes')
        .set({ used_by_transfer_id: row.id })
        .where('id', '=', row.quote_id)
        .where(sql<boolean>`${!quoteSpent}::boolean`),
    )
    .with('step', (db) =>
      db
        .insertInto('transfer_steps')
        .values({ transfer_id: row.id, step: 'created', outcome: 'done', detail: `quote ${row.quote_id}` }),
    )
    .insertInto('transfers')
    .values(row)
    .returningAll()
    .executeTakeFirstOrThrow();
  return transfer;
}

export async function findTransfer(db: Kysely<Database>, transferId: string): Promise<Transfer | undefined> {
  return db.selectFrom('transfers').selectAll().where('id', '=', transferId).executeTakeFirst();
}

/** A transfer and its steps in one statement: what a reply shows, read once. */
export async function findTransferWithSteps(
  db: Kysely<Database>,
  transferId: string,
): Promise<{ transfer: Transfer; steps: TransferStep[] } | undefined> {
  const row = await db
    .selectFrom('transfers as t')
    .selectAll('t')
    .select((eb) =>
      eb
        .selectFrom('transfer_steps as s')
        .select(
          sql<
            StoredStep[]
          >`coalesce(json_agg(json_build_object('id', s.id, 'step', s.step, 'outcome', s.outcome, 'detail', s.detail, 'at', s.at) order by s.id), '[]')`.as(
            'steps',
          ),
        )
        .whereRef('s.transfer_id', '=', 't.id')
        .as('steps'),
    )
    .where('t.id', '=', transferId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { steps, ...transfer } = row;
  return {
    transfer,
    steps: (steps ?? []).map((step) => ({
      ...step,
      transfer_id: transferId,
      id: BigInt(step.id),
      at: new Date(step.at),
    })),
  };
}

/** A step as json_agg gives it back: numbers and times as JSON has them. */
interface StoredStep {
  id: number;
  step: string;
  outcome: string;
  detail: string | null;
  at: string;
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
 * statement: it is atomic without a transaction, and costs one round trip on the hot path. A post or
 * void done also ends the reservation (`reservation_end`, what reconciliation reports for it), in the
 * same statement, whatever the status.
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
  const status = input.status ?? null;
  const ends =
    input.outcome === 'done' && input.step === 'post'
      ? 'posted'
      : input.outcome === 'done' && input.step === 'void'
        ? 'voided'
        : null;
  await sql`
    with step as (
      insert into transfer_steps (transfer_id, step, outcome, detail)
      values (${input.transferId}, ${input.step}, ${input.outcome}, ${input.detail ?? null})
      on conflict (transfer_id, step, outcome) do nothing
    )
    update transfers set
      status = case when status in ('completed', 'failed') then status else coalesce(${status}, status) end,
      updated_at = case when ${status}::text is not null and status not in ('completed', 'failed') then now() else updated_at end,
      reservation_end = case when ${ends}::text = 'posted' then 'posted' else coalesce(reservation_end, ${ends}) end
    where id = ${input.transferId}
      and ((${status}::text is not null and status not in ('completed', 'failed')) or ${ends}::text is not null)`.execute(
    db,
  );
}

export async function failTransfer(
  db: Kysely<Database>,
  input: { transferId: string; code: string; detail: string },
): Promise<string[]> {
  return db.transaction().execute((trx) => failTransferInTransaction(trx, input));
}

/** failTransfer inside the caller's transaction (a direct transfer's refusal commits with its creation). */
export async function failTransferInTransaction(
  trx: Transaction<Database>,
  input: { transferId: string; code: string; detail: string },
): Promise<string[]> {
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
  return failed
    ? enqueueTransferWebhooks(trx, failed, 'transfer.failed')
    : pendingDeliveriesOf(trx, `${input.transferId}:transfer.failed`, 'transfer.failed');
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
    return flagged
      ? enqueueTransferWebhooks(trx, flagged, 'transfer.needs_attention')
      : pendingDeliveriesOf(trx, `${transferId}:transfer.needs_attention`, 'transfer.needs_attention');
  });
}

/**
 * Completes the transfer: the status, the settlement obligation (the source partner owes the
 * target partner), the alliance fee when the partner pays it, and the webhooks, all at once.
 * Returns the webhook deliveries to send; on a repeat, those still waiting.
 */
export async function completeTransfer(db: Kysely<Database>, transferId: string): Promise<string[]> {
  return db.transaction().execute((trx) => completeTransferInTransaction(trx, transferId));
}

/**
 * completeTransfer inside the caller's transaction (a direct transfer completes as it is created):
 * the transfer locked, then the cycle lock (the order every writer of a transfer's obligations takes
 * them in); one statement that writes its obligations from its quote, its status and its step, and
 * names the partners taking webhooks; then their deliveries, when there are any. A completed transfer
 * is left as it is. Three round trips where eight were.
 */
export async function completeTransferInTransaction(
  trx: Transaction<Database>,
  transferId: string,
): Promise<string[]> {
  const { rows: locked } = await sql<{ id: string }>`
    select transfer.id, ${openCycleSharedLock}
    from (select id from transfers where id = ${transferId} and status <> 'completed' for update) transfer
  `.execute(trx);
  if (locked.length === 0) {
    // Completed before (a retry): nothing to change, but its deliveries not yet sent are handed on
    // again. A transfer that is not there is a bug.
    if (!(await findTransfer(trx, transferId))) throw new Error(`transfer ${transferId} does not exist`);
    return pendingDeliveriesOf(trx, `${transferId}:transfer.completed`, 'transfer.completed');
  }
  // A statement of its own: it reads the open cycle after the lock above was granted.
  const { rows } = await sql<Transfer & { webhook_partner_ids: string[] }>`
    with
    transfer as (
      select id, quote_id, source_program_id, target_program_id from transfers where id = ${transferId}
    ),
    quote as (
      select quote.settlement_amount_minor, quote.fee_amount_minor, quote.currency,
        (select partner_id from programs where id = transfer.source_program_id) as debtor,
        (select partner_id from programs where id = transfer.target_program_id) as creditor
      from quotes quote join transfer on quote.id = transfer.quote_id
    ),
    obligations as (
      insert into settlement_obligations
        (source_id, transfer_id, kind, debtor_partner_id, creditor_partner_id, amount_minor, currency, cycle_id)
      select transfer.id, transfer.id, owed.kind, quote.debtor, owed.creditor, owed.amount_minor, quote.currency,
        ${openCycleId}
      from transfer, quote,
        lateral (values
          ('transfer', quote.creditor, quote.settlement_amount_minor),
          ('alliance_fee', null, quote.fee_amount_minor)
        ) as owed (kind, creditor, amount_minor)
      where owed.kind = 'transfer' or quote.fee_amount_minor > 0
      on conflict (source_id, kind) do nothing
    ),
    step as (
      insert into transfer_steps (transfer_id, step, outcome, detail)
      select transfer.id, 'completed', 'done', 'settlement ' || quote.settlement_amount_minor || ' ' || quote.currency
      from transfer, quote
      on conflict (transfer_id, step, outcome) do nothing
    ),
    completed as (
      update transfers set status = 'completed', failure_code = null, failure_detail = null,
        updated_at = ${new Date()}
      from transfer, quote where transfers.id = transfer.id
      returning transfers.*
    )
    select completed.*,
      array(
        select distinct program.partner_id from programs program
        join partners partner on partner.id = program.partner_id
        where program.id in (completed.source_program_id, completed.target_program_id)
          and partner.webhook_url is not null
      ) as webhook_partner_ids
    from completed`.execute(trx);
  const row = rows[0];
  if (!row) throw new Error(`transfer ${transferId} has no quote to complete from`);
  const { webhook_partner_ids: partnerIds, ...completed } = row;
  return insertDeliveries(trx, partnerIds, {
    type: 'transfer.completed',
    eventId: `${completed.id}:transfer.completed`,
    payload: transferEventPayload(completed, 'transfer.completed'),
  });
}
