// Accruals as stored. An accrual is created bound to its request's Idempotency-Key in one
// transaction, one per merchant and order reference; its end writes the obligation (the merchant owes
// the programme's owner), the status, a step and the webhooks to both partners in one transaction.
import type { Kysely, Transaction } from 'kysely';
import type { AccrualEventData } from '../domain/webhook-events.ts';
import type { Accrual, AccrualStatus, AccrualStep, Database } from './database.ts';
import { insertObligations } from './settlement.ts';
import { inTransaction } from './transaction.ts';
import { enqueueEventForPartners } from './webhooks.ts';

export const accrualObligationKind = 'accrual';

export type NewAccrual = Omit<
  Accrual,
  'status' | 'failure_code' | 'failure_detail' | 'created_at' | 'updated_at'
>;

/**
 * Inserts the accrual (pending) and its `created` step; undefined when the merchant's order
 * reference has an accrual already (the caller reads that one).
 */
export async function insertAccrual(
  trx: Transaction<Database>,
  values: NewAccrual,
): Promise<Accrual | undefined> {
  const accrual = await trx
    .insertInto('accruals')
    .values({ ...values, modifiers: JSON.stringify(values.modifiers), status: 'pending' })
    .onConflict((conflict) => conflict.columns(['merchant_partner_id', 'order_reference']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!accrual) return undefined;
  await recordAccrualStep(trx, {
    accrualId: accrual.id,
    step: 'created',
    outcome: 'done',
    detail: `${accrual.points} points for order ${accrual.order_reference} (${accrual.purchase_amount_minor} ${accrual.purchase_currency})`,
  });
  return accrual;
}

export async function findAccrual(db: Kysely<Database>, accrualId: string): Promise<Accrual | undefined> {
  return db.selectFrom('accruals').selectAll().where('id', '=', accrualId).executeTakeFirst();
}

export async function findAccrualByOrder(
  db: Kysely<Database>,
  merchantPartnerId: string,
  orderReference: string,
): Promise<Accrual | undefined> {
  return db
    .selectFrom('accruals')
    .selectAll()
    .where('merchant_partner_id', '=', merchantPartnerId)
    .where('order_reference', '=', orderReference)
    .executeTakeFirst();
}

/** The accrual, its row locked until the transaction ends: its refunds are counted one at a time. */
export async function lockAccrual(
  trx: Transaction<Database>,
  accrualId: string,
): Promise<Accrual | undefined> {
  return trx.selectFrom('accruals').selectAll().where('id', '=', accrualId).forUpdate().executeTakeFirst();
}

export async function recordAccrualStep(
  db: Kysely<Database>,
  step: { accrualId: string; step: string; outcome: string; detail?: string | null },
): Promise<void> {
  await db
    .insertInto('accrual_steps')
    .values({
      accrual_id: step.accrualId,
      step: step.step,
      outcome: step.outcome,
      detail: step.detail ?? null,
    })
    .onConflict((conflict) => conflict.columns(['accrual_id', 'step', 'outcome']).doNothing())
    .execute();
}

export async function listAccrualSteps(db: Kysely<Database>, accrualId: string): Promise<AccrualStep[]> {
  return db
    .selectFrom('accrual_steps')
    .selectAll()
    .where('accrual_id', '=', accrualId)
    .orderBy('id')
    .execute();
}

/** Accruals accepted but possibly never started (the process died, or Temporal was down), paged by id. */
export async function listStrandedAccrualIds(
  db: Kysely<Database>,
  input: { untouchedSince: Date; afterId: string | null; limit: number },
): Promise<string[]> {
  let query = db
    .selectFrom('accruals')
    .select('id')
    .where('status', '=', 'pending')
    .where('updated_at', '<', input.untouchedSince)
    .orderBy('id')
    .limit(input.limit);
  if (input.afterId) query = query.where('id', '>', input.afterId);
  return (await query.execute()).map((row) => row.id);
}

/** The partner owning a programme: who is owed for its points. */
export async function programOwner(db: Kysely<Database>, programId: string): Promise<string> {
  const row = await db
    .selectFrom('programs')
    .select('partner_id')
    .where('id', '=', programId)
    .executeTakeFirstOrThrow();
  return row.partner_id;
}

export type AccrualEventType = AccrualEventData['type'];

async function enqueue(trx: Transaction<Database>, accrual: Accrual, type: AccrualEventType) {
  return enqueueEventForPartners(trx, {
    partnerIds: [accrual.merchant_partner_id, await programOwner(trx, accrual.program_id)],
    type,
    eventId: `${accrual.id}:${type}`,
    payload: {
      type,
      accrualId: accrual.id,
      status: accrual.status,
      merchantPartnerId: accrual.merchant_partner_id,
      orderReference: accrual.order_reference,
      memberId: accrual.member_id,
      programId: accrual.program_id,
      points: String(accrual.points),
      amountOwedMinor: String(accrual.amount_owed_minor),
      currency: accrual.currency,
      failureCode: accrual.failure_code,
    },
  });
}

const ended: readonly AccrualStatus[] = ['completed', 'failed', 'needs_attention'];

async function end(
  trx: Transaction<Database>,
  accrualId: string,
  values: {
    status: AccrualStatus;
    failure?: { code: string; detail: string };
    step: { outcome: string; detail: string };
  },
): Promise<Accrual | undefined> {
  const accrual = await lockAccrual(trx, accrualId);
  if (!accrual) throw new Error(`accrual ${accrualId} does not exist`);
  if (ended.includes(accrual.status)) return undefined;
  const updated = await trx
    .updateTable('accruals')
    .set({
      status: values.status,
      failure_code: values.failure?.code ?? null,
      failure_detail: values.failure?.detail ?? null,
      updated_at: new Date(),
    })
    .where('id', '=', accrualId)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAccrualStep(trx, { accrualId, step: values.status, ...values.step });
  return updated;
}

/**
 * Completes the accrual once the points are credited: the obligation (the merchant owes the
 * programme's owner), the status and the webhooks at once. Returns the webhook deliveries to send;
 * none when it had ended already.
 */
export async function completeAccrual(db: Kysely<Database>, accrualId: string): Promise<string[]> {
  return inTransaction(db, async (trx) => {
    const accrual = await end(trx, accrualId, {
      status: 'completed',
      step: { outcome: 'done', detail: 'credited' },
    });
    if (!accrual) return [];
    const owner = await programOwner(trx, accrual.program_id);
    await insertObligations(trx, [
      {
        sourceId: accrual.id,
        transferId: null,
        kind: accrualObligationKind,
        debtorPartnerId: accrual.merchant_partner_id,
        creditorPartnerId: owner,
        amountMinor: accrual.amount_owed_minor,
        currency: accrual.currency,
      },
    ]);
    return enqueue(trx, accrual, 'accrual.completed');
  });
}

/** Ends the accrual with nothing credited (refused, or abandoned when asked): nothing is owed. */
export async function failAccrual(
  db: Kysely<Database>,
  input: { accrualId: string; code: string; detail: string },
): Promise<string[]> {
  return inTransaction(db, async (trx) => {
    const accrual = await end(trx, input.accrualId, {
      status: 'failed',
      failure: { code: input.code, detail: input.detail },
      step: { outcome: input.code, detail: input.detail },
    });
    return accrual ? enqueue(trx, accrual, 'accrual.failed') : [];
  });
}

/** The programme could not be asked what became of the credit: a person decides. */
export async function flagAccrual(
  db: Kysely<Database>,
  input: { accrualId: string; reason: string },
): Promise<string[]> {
  return inTransaction(db, async (trx) => {
    const accrual = await end(trx, input.accrualId, {
      status: 'needs_attention',
      failure: { code: 'needs_attention', detail: input.reason },
      step: { outcome: 'flagged', detail: input.reason },
    });
    if (!accrual) return [];
    await trx
      .insertInto('finance_flags')
      .values({ accrual_id: accrual.id, reason: input.reason })
      .onConflict((conflict) => conflict.columns(['accrual_id', 'reason']).doNothing())
      .execute();
    return enqueue(trx, accrual, 'accrual.needs_attention');
  });
}
