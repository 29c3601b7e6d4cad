// Points payments as stored: the payment, the operations asked of it, their steps at the member's
// programme, and the transactions that end an operation (status, figures, obligation, webhooks at
// once). Whether an operation may be asked is decided by services/points-payments.ts under the
// payment's row lock; what an operation's end writes is decided here from the operation's row, so
// a repeat of an end (a retried activity) writes nothing twice.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { PointsPaymentEventData } from '../domain/webhook-events.ts';
import type {
  Database,
  PointsPayment,
  PointsPaymentOperation,
  PointsPaymentStatus,
  PointsPaymentStep,
} from './database.ts';
import { insertObligations } from './settlement.ts';
import { inTransaction } from './transaction.ts';
import { enqueueEventForPartners, pendingDeliveriesOfSubject } from './webhooks.ts';

export async function insertPayment(
  trx: Transaction<Database>,
  payment: Omit<
    PointsPayment,
    | 'captured_points'
    | 'captured_amount_minor'
    | 'refunded_points'
    | 'refunded_amount_minor'
    | 'failure_code'
    | 'failure_detail'
    | 'created_at'
    | 'updated_at'
    | 'reserved_expiry_profile'
  >,
): Promise<PointsPayment> {
  return trx.insertInto('points_payments').values(payment).returningAll().executeTakeFirstOrThrow();
}

export async function insertOperation(
  trx: Transaction<Database>,
  operation: Pick<
    PointsPaymentOperation,
    'id' | 'payment_id' | 'kind' | 'requested_by' | 'points' | 'amount_minor'
  >,
): Promise<PointsPaymentOperation> {
  return trx
    .insertInto('points_payment_operations')
    .values({ ...operation, status: 'pending' })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findPayment(
  db: Kysely<Database>,
  paymentId: string,
): Promise<PointsPayment | undefined> {
  return db.selectFrom('points_payments').selectAll().where('id', '=', paymentId).executeTakeFirst();
}

export async function lockPayment(
  trx: Transaction<Database>,
  paymentId: string,
): Promise<PointsPayment | undefined> {
  return trx
    .selectFrom('points_payments')
    .selectAll()
    .where('id', '=', paymentId)
    .forUpdate()
    .executeTakeFirst();
}

export async function setPaymentStatus(
  trx: Transaction<Database>,
  paymentId: string,
  status: PointsPaymentStatus,
): Promise<void> {
  await trx
    .updateTable('points_payments')
    .set({ status, updated_at: new Date() })
    .where('id', '=', paymentId)
    .execute();
}

export async function findOperation(
  db: Kysely<Database>,
  operationId: string,
): Promise<PointsPaymentOperation | undefined> {
  return db
    .selectFrom('points_payment_operations')
    .selectAll()
    .where('id', '=', operationId)
    .executeTakeFirst();
}

export async function listOperations(
  db: Kysely<Database>,
  paymentId: string,
): Promise<PointsPaymentOperation[]> {
  return db
    .selectFrom('points_payment_operations')
    .selectAll()
    .where('payment_id', '=', paymentId)
    .orderBy('id')
    .execute();
}

export async function listPaymentSteps(
  db: Kysely<Database>,
  paymentId: string,
): Promise<PointsPaymentStep[]> {
  return db
    .selectFrom('points_payment_steps')
    .selectAll()
    .where('payment_id', '=', paymentId)
    .orderBy('id')
    .execute();
}

/** Refunds that count against what is left to refund: done, or still running. */
export async function countedRefunds(
  trx: Transaction<Database>,
  paymentId: string,
): Promise<{ points: bigint; amountMinor: bigint }> {
  const row = await trx
    .selectFrom('points_payment_operations')
    .select([
      sql<bigint>`coalesce(sum(points), 0)::int8`.as('points'),
      sql<bigint>`coalesce(sum(amount_minor), 0)::int8`.as('amount_minor'),
    ])
    .where('payment_id', '=', paymentId)
    .where('kind', '=', 'refund')
    .where('status', 'in', ['pending', 'completed'])
    .executeTakeFirstOrThrow();
  return { points: row.points, amountMinor: row.amount_minor };
}

export async function recordPaymentStep(
  db: Kysely<Database>,
  input: { paymentId: string; operationId: string; step: string; outcome: string; detail?: string | null },
): Promise<void> {
  await db
    .insertInto('points_payment_steps')
    .values({
      payment_id: input.paymentId,
      operation_id: input.operationId,
      step: input.step,
      outcome: input.outcome,
      detail: input.detail ?? null,
    })
    .onConflict((conflict) => conflict.columns(['operation_id', 'step', 'outcome']).doNothing())
    .execute();
}

export type PointsPaymentEventType = PointsPaymentEventData['type'];

/** Queues the event for the merchant and the programme's owner; returns the deliveries' ids. */
async function emit(
  trx: Transaction<Database>,
  payment: PointsPayment,
  operation: PointsPaymentOperation,
  type: PointsPaymentEventType,
): Promise<string[]> {
  return enqueueEventForPartners(trx, {
    partnerIds: [payment.owner_id, payment.merchant_id],
    type,
    eventId: `${operation.id}:${type}`,
    payload: {
      type,
      paymentId: payment.id,
      operationId: operation.id,
      operation: operation.kind,
      operationStatus: operation.status,
      status: payment.status,
      merchantId: payment.merchant_id,
      memberId: payment.member_id,
      programId: payment.program_id,
      orderReference: payment.order_reference,
      points: String(operation.points),
      amountMinor: String(operation.amount_minor),
      currency: payment.currency,
      authorizedPoints: String(payment.authorized_points),
      capturedPoints: String(payment.captured_points),
      refundedPoints: String(payment.refunded_points),
      failureCode: operation.failure_code,
    },
  });
}

/** How an operation ended, and what that makes of its payment. */
export type OperationEnd =
  | { kind: 'authorized' }
  | { kind: 'captured'; attention: string | null }
  | { kind: 'voided' }
  | { kind: 'refunded' }
  | {
      kind: 'failed';
      code: string;
      detail: string;
      /** The payment's status after the failure; unchanged when null (a refund's). */
      paymentStatus: PointsPaymentStatus | null;
      attention?: boolean;
    };

/**
 * Ends the operation in one transaction: its status, the payment's status and figures, the
 * obligation a capture or refund creates, and the webhooks. A second end of the same operation
 * (a retried activity) finds it ended and writes nothing.
 */
export async function endOperation(
  db: Kysely<Database>,
  input: { operationId: string; end: OperationEnd },
): Promise<string[]> {
  return inTransaction(db, async (trx) => {
    const pending = await trx
      .selectFrom('points_payment_operations')
      .select('payment_id')
      .where('id', '=', input.operationId)
      .executeTakeFirstOrThrow();
    let payment = await lockPayment(trx, pending.payment_id);
    if (!payment) throw new Error(`payment ${pending.payment_id} vanished`);
    const before = await trx
      .selectFrom('points_payment_operations')
      .selectAll()
      .where('id', '=', input.operationId)
      .executeTakeFirstOrThrow();
    // A repeat (the ending committed, its answer lost to the workflow) hands on what is still waiting.
    if (before.status !== 'pending') return pendingDeliveriesOfSubject(trx, before.id);
    const { end } = input;
    const now = new Date();
    const operationStatus =
      end.kind === 'failed'
        ? end.attention
          ? 'needs_attention'
          : 'failed'
        : end.kind === 'captured' && end.attention
          ? 'needs_attention'
          : 'completed';
    const failure =
      end.kind === 'failed'
        ? { failure_code: end.code, failure_detail: end.detail }
        : end.kind === 'captured' && end.attention
          ? { failure_code: 'release_failed', failure_detail: end.attention }
          : {};
    const operation = await trx
      .updateTable('points_payment_operations')
      .set({ status: operationStatus, updated_at: now, ...failure })
      .where('id', '=', before.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (operationStatus === 'needs_attention') {
      const reason = `${operation.kind} ${operation.id}: ${failure.failure_detail ?? 'needs attention'}`;
      await trx
        .insertInto('finance_flags')
        .values({ points_payment_id: payment.id, reason })
        .onConflict((conflict) => conflict.columns(['points_payment_id', 'reason']).doNothing())
        .execute();
    }

    let paymentStatus: PointsPaymentStatus | null = null;
    let type: PointsPaymentEventType;
    const figures: { captured_points?: bigint; captured_amount_minor?: bigint } = {};
    switch (end.kind) {
      case 'authorized':
        paymentStatus = 'authorized';
        type = 'points_payment.authorized';
        break;
      case 'captured':
        paymentStatus = 'captured';
        figures.captured_points = operation.points;
        figures.captured_amount_minor = operation.amount_minor;
        type = 'points_payment.captured';
        break;
      case 'voided':
        paymentStatus = operation.requested_by === 'expiry' ? 'expired' : 'voided';
        type = paymentStatus === 'expired' ? 'points_payment.expired' : 'points_payment.voided';
        break;
      case 'refunded':
        type = 'points_payment.refunded';
        break;
      case 'failed':
        paymentStatus = end.paymentStatus;
        type = end.attention
          ? 'points_payment.needs_attention'
          : operation.kind === 'authorize'
            ? 'points_payment.authorization_failed'
            : operation.kind === 'capture'
              ? 'points_payment.capture_failed'
              : operation.kind === 'refund'
                ? 'points_payment.refund_failed'
                : 'points_payment.needs_attention';
        break;
    }
    payment = await trx
      .updateTable('points_payments')
      .set((eb) => ({
        updated_at: now,
        ...(paymentStatus ? { status: paymentStatus } : {}),
        ...figures,
        ...(end.kind === 'refunded'
          ? {
              refunded_points: eb('refunded_points', '+', operation.points),
              refunded_amount_minor: eb('refunded_amount_minor', '+', operation.amount_minor),
            }
          : {}),
        ...(end.kind === 'failed' && operation.kind !== 'refund'
          ? { failure_code: end.code, failure_detail: end.detail }
          : {}),
      }))
      .where('id', '=', payment.id)
      .returningAll()
      .executeTakeFirstOrThrow();

    // The programme's owner pays the merchant for the points taken at checkout; a refund is the
    // opposite. A merchant paid in its own programme's points owes itself nothing.
    const owed = end.kind === 'captured' || end.kind === 'refunded';
    if (owed && payment.owner_id !== payment.merchant_id && operation.amount_minor > 0n) {
      const capture = end.kind === 'captured';
      await insertObligations(trx, [
        {
          sourceId: operation.id,
          transferId: null,
          kind: capture ? 'points_payment' : 'points_payment_refund',
          debtorPartnerId: capture ? payment.owner_id : payment.merchant_id,
          creditorPartnerId: capture ? payment.merchant_id : payment.owner_id,
          amountMinor: operation.amount_minor,
          currency: payment.currency,
        },
      ]);
    }
    await recordPaymentStep(trx, {
      paymentId: payment.id,
      operationId: operation.id,
      step: operation.kind,
      outcome: operation.status,
      detail: operation.failure_code ? `${operation.failure_code}: ${operation.failure_detail}` : null,
    });
    return emit(trx, payment, operation, type);
  });
}

/** Authorizations past their end, oldest first: the expiry sweep voids them. */
export async function listExpiredAuthorizations(
  db: Kysely<Database>,
  input: { now: Date; limit: number },
): Promise<string[]> {
  const rows = await db
    .selectFrom('points_payments')
    .select('id')
    .where('status', '=', 'authorized')
    .where('expires_at', '<=', input.now)
    .orderBy('expires_at')
    .orderBy('id')
    .limit(input.limit)
    .execute();
  return rows.map((row) => row.id);
}

/** Operations accepted and untouched since then, whose workflow may never have started; by id. */
export async function listPendingOperations(
  db: Kysely<Database>,
  input: { untouchedSince: Date; afterId: string | null; limit: number },
): Promise<{ id: string; kind: PointsPaymentOperation['kind'] }[]> {
  let query = db
    .selectFrom('points_payment_operations')
    .select(['id', 'kind'])
    .where('status', '=', 'pending')
    .where('updated_at', '<', input.untouchedSince)
    .orderBy('id')
    .limit(input.limit);
  if (input.afterId) query = query.where('id', '>', input.afterId);
  return query.execute();
}
