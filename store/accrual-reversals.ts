// Refunds of accrued purchases (accrual reversals) as stored. A refund is created under a lock on its
// accrual's row, so concurrent refunds are counted one after another and never add up past the
// purchase. Its end writes what was taken back, the opposite obligation (the programme's owner gives
// the merchant back the price of those points), the shortfall, a step on the accrual's timeline, the
// status and the webhooks in one transaction, again under the accrual's lock.
import type { Kysely, Transaction } from 'kysely';
import { type RefundFigures, refundResult } from '../domain/accrual.ts';
import type { AccrualReversalEventData } from '../domain/webhook-events.ts';
import { lockAccrual, programOwner, recordAccrualStep } from './accruals.ts';
import type { Accrual, AccrualReversal, AccrualReversalStatus, Database } from './database.ts';
import { insertObligations } from './settlement.ts';
import { inTransaction } from './transaction.ts';
import { enqueueEventForPartners } from './webhooks.ts';

export const accrualReversalObligationKind = 'accrual_reversal';

export async function listAccrualReversals(
  db: Kysely<Database>,
  accrualId: string,
): Promise<AccrualReversal[]> {
  return db
    .selectFrom('accrual_reversals')
    .selectAll()
    .where('accrual_id', '=', accrualId)
    .orderBy('id')
    .execute();
}

/** What the accrual's refunds so far count against the purchase (read under the accrual's lock). */
export async function countedRefunds(trx: Transaction<Database>, accrualId: string): Promise<RefundFigures> {
  const refunds = await listAccrualReversals(trx, accrualId);
  return refunds
    .filter((refund) => refund.status !== 'failed')
    .reduce(
      (sum, refund) => ({
        refundAmountMinor: sum.refundAmountMinor + refund.refund_amount_minor,
        points: sum.points + refund.points,
      }),
      { refundAmountMinor: 0n, points: 0n },
    );
}

export async function insertAccrualReversal(
  trx: Transaction<Database>,
  values: { id: string; accrualId: string; reason: string; plan: RefundFigures },
): Promise<AccrualReversal> {
  const reversal = await trx
    .insertInto('accrual_reversals')
    .values({
      id: values.id,
      accrual_id: values.accrualId,
      reason: values.reason,
      refund_amount_minor: values.plan.refundAmountMinor,
      points: values.plan.points,
      status: 'pending',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAccrualStep(trx, {
    accrualId: values.accrualId,
    step: `${values.id}:requested`,
    outcome: 'done',
    detail: `refund of ${values.plan.refundAmountMinor} asks ${values.plan.points} points back: ${values.reason}`,
  });
  return reversal;
}

export async function findAccrualReversal(
  db: Kysely<Database>,
  reversalId: string,
): Promise<AccrualReversal | undefined> {
  return db.selectFrom('accrual_reversals').selectAll().where('id', '=', reversalId).executeTakeFirst();
}

/** Refunds accepted but possibly never started (the process died, or Temporal was down), paged by id. */
export async function listStrandedAccrualReversalIds(
  db: Kysely<Database>,
  input: { untouchedSince: Date; afterId: string | null; limit: number },
): Promise<string[]> {
  let query = db
    .selectFrom('accrual_reversals')
    .select('id')
    .where('status', '=', 'pending')
    .where('updated_at', '<', input.untouchedSince)
    .orderBy('id')
    .limit(input.limit);
  if (input.afterId) query = query.where('id', '>', input.afterId);
  return (await query.execute()).map((row) => row.id);
}

export type AccrualReversalEventType = AccrualReversalEventData['type'];

async function enqueue(
  trx: Transaction<Database>,
  accrual: Accrual,
  reversal: AccrualReversal,
  type: AccrualReversalEventType,
) {
  return enqueueEventForPartners(trx, {
    partnerIds: [accrual.merchant_partner_id, await programOwner(trx, accrual.program_id)],
    type,
    eventId: `${reversal.id}:${type}`,
    payload: {
      type,
      reversalId: reversal.id,
      accrualId: accrual.id,
      status: reversal.status,
      orderReference: accrual.order_reference,
      memberId: accrual.member_id,
      programId: accrual.program_id,
      refundAmountMinor: String(reversal.refund_amount_minor),
      points: String(reversal.points),
      takenPoints: reversal.taken_points === null ? null : String(reversal.taken_points),
      shortfallPoints: reversal.shortfall_points === null ? null : String(reversal.shortfall_points),
      reversedAmountMinor:
        reversal.reversed_amount_minor === null ? null : String(reversal.reversed_amount_minor),
      currency: accrual.currency,
      failureCode: reversal.failure_code,
    },
  });
}

const ended: readonly AccrualReversalStatus[] = ['completed', 'failed', 'needs_attention'];

/** The refund and its accrual, both locked (the accrual first, as a new refund locks it). */
async function lockBoth(trx: Transaction<Database>, reversalId: string) {
  const unlocked = await findAccrualReversal(trx, reversalId);
  if (!unlocked) throw new Error(`accrual reversal ${reversalId} does not exist`);
  const accrual = await lockAccrual(trx, unlocked.accrual_id);
  if (!accrual) throw new Error(`accrual reversal ${reversalId} names no accrual`);
  const reversal = await trx
    .selectFrom('accrual_reversals')
    .selectAll()
    .where('id', '=', reversalId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return { accrual, reversal };
}

/**
 * Completes the refund once the programme said how many points it took back: what the merchant is
 * given back follows the running total of the accrual's completed refunds. Returns the webhook
 * deliveries to send; none when it had ended already.
 */
export async function completeAccrualReversal(
  db: Kysely<Database>,
  input: { reversalId: string; takenPoints: bigint },
): Promise<string[]> {
  return inTransaction(db, async (trx) => {
    const { accrual, reversal } = await lockBoth(trx, input.reversalId);
    if (ended.includes(reversal.status)) return [];
    const earlier = (await listAccrualReversals(trx, accrual.id)).filter(
      (other) => other.status === 'completed',
    );
    const result = refundResult({
      accrualPoints: accrual.points,
      amountOwedMinor: accrual.amount_owed_minor,
      askedPoints: reversal.points,
      takenPoints: input.takenPoints,
      earlierTakenPoints: earlier.reduce((sum, other) => sum + (other.taken_points ?? 0n), 0n),
      earlierReversedAmountMinor: earlier.reduce(
        (sum, other) => sum + (other.reversed_amount_minor ?? 0n),
        0n,
      ),
    });
    const owner = await programOwner(trx, accrual.program_id);
    if (result.reversedAmountMinor > 0n) {
      await insertObligations(trx, [
        {
          sourceId: reversal.id,
          transferId: null,
          kind: accrualReversalObligationKind,
          debtorPartnerId: owner,
          creditorPartnerId: accrual.merchant_partner_id,
          amountMinor: result.reversedAmountMinor,
          currency: accrual.currency,
        },
      ]);
    }
    const completed = await trx
      .updateTable('accrual_reversals')
      .set({
        status: 'completed',
        taken_points: result.takenPoints,
        reversed_amount_minor: result.reversedAmountMinor,
        shortfall_points: result.shortfallPoints,
        updated_at: new Date(),
      })
      .where('id', '=', reversal.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const shortfall =
      result.shortfallPoints > 0n
        ? `; the member no longer had ${result.shortfallPoints} of them, a shortfall borne by the merchant ${accrual.merchant_partner_id}`
        : '';
    await recordAccrualStep(trx, {
      accrualId: accrual.id,
      step: `${reversal.id}:completed`,
      outcome: 'done',
      detail: `took back ${result.takenPoints} of ${reversal.points} points${shortfall}; ${owner} gives back ${result.reversedAmountMinor} ${accrual.currency}`,
    });
    return enqueue(trx, accrual, completed, 'accrual.reversed');
  });
}

/**
 * Ends the refund with nothing taken back (refused, or abandoned when asked) or, for
 * needs_attention, with the take-back's fate unknown: finance reads it on the accrual's timeline.
 */
export async function endAccrualReversal(
  db: Kysely<Database>,
  input: { reversalId: string; status: 'failed' | 'needs_attention'; code: string; detail: string },
): Promise<string[]> {
  return inTransaction(db, async (trx) => {
    const { accrual, reversal } = await lockBoth(trx, input.reversalId);
    if (ended.includes(reversal.status)) return [];
    const updated = await trx
      .updateTable('accrual_reversals')
      .set({
        status: input.status,
        failure_code: input.code,
        failure_detail: input.detail,
        updated_at: new Date(),
      })
      .where('id', '=', reversal.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAccrualStep(trx, {
      accrualId: accrual.id,
      step: `${reversal.id}:${input.status}`,
      outcome: input.code,
      detail: input.detail,
    });
    if (input.status === 'needs_attention') {
      await trx
        .insertInto('finance_flags')
        // Named in the reason: two reversals of one accrual flagged for the same cause are two flags.
        .values({
          accrual_id: accrual.id,
          accrual_reversal_id: reversal.id,
          reason: `reversal ${reversal.id}: ${input.detail}`,
        })
        .onConflict((conflict) => conflict.columns(['accrual_id', 'reason']).doNothing())
        .execute();
    }
    return enqueue(
      trx,
      accrual,
      updated,
      input.status === 'failed' ? 'accrual.reversal_failed' : 'accrual.reversal_needs_attention',
    );
  });
}
