// Points as cash at checkout (积分当钱花): a merchant authorizes part of an order in a member's
// points at another brand's programme, priced by the cash agreement between that programme's owner
// and the merchant; then captures (whole or part, once), voids, or lets it expire; and refunds a
// capture in parts. Each request is decided at once under the payment's row lock (so concurrent
// requests never capture or refund past the authorization), recorded as an operation bound to the
// request's Idempotency-Key in the same transaction, then carried out by the operation's workflow.

import type { Transaction } from 'kysely';
import { requireRedemptionsConsent } from '../domain/consent.ts';
import { ProblemError } from '../domain/errors.ts';
import {
  amountField,
  amountPoints,
  type CashPrice,
  type PaymentAmount,
  priceAmount,
  refundFigures,
  requireCapturable,
} from '../domain/points-payment.ts';
import type { Logger } from '../runtime/logger.ts';
import { findAcceptedCashAgreement } from '../store/cash-agreements.ts';
import type {
  Database,
  PointsPayment,
  PointsPaymentOperation,
  PointsPaymentStatus,
  PointsPaymentStep,
} from '../store/database.ts';
import { requireHeadroom } from '../store/exposure.ts';
import { bindIdempotencyEffect } from '../store/idempotency.ts';
import { newId } from '../store/ids.ts';
import { findActiveLink } from '../store/members.ts';
import {
  countedRefunds,
  findOperation,
  findPayment,
  insertOperation,
  insertPayment,
  listOperations,
  listPaymentSteps,
  lockPayment,
  setPaymentStatus,
} from '../store/points-payments.ts';
import type { ServiceContext } from './context.ts';
import { requireActivePartner, requireProgram } from './programs.ts';

/** Starts (or finds) an operation's workflow and waits a short while for it. */
export type PaymentOperationStarter = (operationId: string) => Promise<unknown>;

export interface PointsPaymentDependencies extends ServiceContext {
  startOperation: PaymentOperationStarter;
  logger: Logger;
  /**
   * How long the member's programme holds the points past the authorization's end: a capture asked
   * just before the end has this long to post them. Past it the programme releases them by itself.
   */
  reservationGraceMs: number;
}

export interface PaymentView {
  payment: PointsPayment;
  operations: PointsPaymentOperation[];
  steps: PointsPaymentStep[];
}

export interface PaymentReply extends PaymentView {
  /** The operation this request asked for. */
  operation: PointsPaymentOperation;
  /** True when that operation ended within the wait. */
  finished: boolean;
}

export const authorizationSecondsDefault = 7 * 86_400;
export const authorizationSecondsMax = 30 * 86_400;

/** Another run of the same key recorded its operation first; this run's writes are rolled back. */
class KeyAlreadyBound extends Error {
  readonly operationId: string;
  constructor(operationId: string) {
    super(`the Idempotency-Key already asked for operation ${operationId}`);
    this.operationId = operationId;
  }
}

type Idempotency = { principal: string; key: string; effectId: string | null };

async function bindKey(trx: Transaction<Database>, idempotency: Idempotency, operationId: string) {
  const boundTo = await bindIdempotencyEffect(trx, { ...idempotency, effectId: operationId });
  if (boundTo !== operationId) throw new KeyAlreadyBound(boundTo);
}

/**
 * Records the operation (or finds the one this key recorded), starts its workflow and answers with
 * the payment as it stands after a short wait. A workflow that cannot be started now is started by
 * the points-payment sweep; the caller may also repeat the request with the same key.
 */
async function runOperation(
  deps: PointsPaymentDependencies,
  idempotency: Idempotency,
  record: (trx: Transaction<Database>) => Promise<PointsPaymentOperation>,
): Promise<PaymentReply> {
  let operation = idempotency.effectId ? await findOperation(deps.db, idempotency.effectId) : undefined;
  if (!operation) {
    try {
      operation = await deps.db.transaction().execute(record);
    } catch (error) {
      if (!(error instanceof KeyAlreadyBound)) throw error;
      operation = await findOperation(deps.db, error.operationId);
      if (!operation) throw new Error(`operation ${error.operationId} bound to a key does not exist`);
    }
  }
  try {
    await deps.startOperation(operation.id);
  } catch (error) {
    deps.logger.warn(
      { err: error, operationId: operation.id },
      'could not start the points payment operation now; the points-payment sweep will start it',
    );
  }
  const view = await viewPayment(deps, operation.payment_id);
  const current = view.operations.find((candidate) => candidate.id === operation.id) ?? operation;
  return { ...view, operation: current, finished: current.status !== 'pending' };
}

async function viewPayment(context: ServiceContext, paymentId: string): Promise<PaymentView> {
  const [payment, operations, steps] = await Promise.all([
    findPayment(context.db, paymentId),
    listOperations(context.db, paymentId),
    listPaymentSteps(context.db, paymentId),
  ]);
  if (!payment) throw new ProblemError('not_found', `Points payment ${paymentId} does not exist.`);
  return { payment, operations, steps };
}

const priceOf = (payment: PointsPayment): CashPrice => ({
  amountMinor: payment.price_amount_minor,
  perPoints: payment.price_per_points,
});

/** Authorize: reserve the member's points at their programme, at the cash agreement's price. */
export async function authorizePayment(
  deps: PointsPaymentDependencies,
  input: {
    merchantId: string;
    memberId: string;
    programId: string;
    amount: PaymentAmount;
    orderReference: string;
    expiresInSeconds: number;
    idempotency: Idempotency;
    now: Date;
  },
): Promise<PaymentReply> {
  return runOperation(deps, input.idempotency, async (trx) => {
    const program = await requireProgram(deps, input.programId, 'programId');
    requireActivePartner(program, 'programId');
    const link = await findActiveLink(trx, input.memberId, input.programId);
    requireRedemptionsConsent(link, input);
    const agreement = await findAcceptedCashAgreement(trx, input.programId, input.merchantId);
    if (!agreement) {
      throw new ProblemError(
        'agreement_not_in_force',
        `No cash agreement lets ${input.programId}'s points pay at your checkout.`,
        [{ field: 'programId', message: 'no accepted cash agreement with its owner' }],
      );
    }
    const price = { amountMinor: agreement.amount_minor, perPoints: agreement.per_points };
    const figures = priceAmount(price, input.amount);
    // An authorization commits the owner to its money (a capture takes at most that): one past the
    // owner's exposure cap is refused before any point is held.
    if (program.partner_id !== input.merchantId) {
      await requireHeadroom(trx, {
        partnerId: program.partner_id,
        currency: agreement.currency,
        addedMinor: figures.amountMinor,
      });
    }
    const paymentId = newId('ppm');
    const operationId = newId('ppo');
    await bindKey(trx, input.idempotency, operationId);
    const expiresAt = new Date(input.now.getTime() + input.expiresInSeconds * 1000);
    await insertPayment(trx, {
      id: paymentId,
      merchant_id: input.merchantId,
      owner_id: program.partner_id,
      member_id: input.memberId,
      program_id: input.programId,
      account_ref: link.account_ref,
      cash_agreement_id: agreement.id,
      price_amount_minor: price.amountMinor,
      price_per_points: price.perPoints,
      currency: agreement.currency,
      order_reference: input.orderReference,
      authorized_points: figures.points,
      authorized_amount_minor: figures.amountMinor,
      status: 'authorizing',
      expires_at: expiresAt,
      reservation_expires_at: new Date(expiresAt.getTime() + deps.reservationGraceMs),
    });
    return insertOperation(trx, {
      id: operationId,
      payment_id: paymentId,
      kind: 'authorize',
      requested_by: input.merchantId,
      points: figures.points,
      amount_minor: figures.amountMinor,
    });
  });
}

async function lockMerchantPayment(trx: Transaction<Database>, merchantId: string, paymentId: string) {
  const payment = await lockPayment(trx, paymentId);
  if (!payment || payment.merchant_id !== merchantId) {
    throw new ProblemError('not_found', `Points payment ${paymentId} does not exist.`);
  }
  return payment;
}

function requireAuthorized(payment: PointsPayment, now: Date): void {
  if (payment.status !== 'authorized') {
    throw new ProblemError('payment_not_authorized', `Points payment ${payment.id} is ${payment.status}.`);
  }
  if (payment.expires_at <= now) {
    throw new ProblemError(
      'payment_not_authorized',
      `The authorization of ${payment.id} ended at ${payment.expires_at.toISOString()}.`,
    );
  }
}

async function askOfAuthorized(
  trx: Transaction<Database>,
  input: {
    payment: PointsPayment;
    kind: 'capture' | 'void';
    requestedBy: string;
    figures: { points: bigint; amountMinor: bigint };
    idempotency: Idempotency | null;
    nextStatus: PointsPaymentStatus;
  },
): Promise<PointsPaymentOperation> {
  const operationId = newId('ppo');
  if (input.idempotency) await bindKey(trx, input.idempotency, operationId);
  await setPaymentStatus(trx, input.payment.id, input.nextStatus);
  return insertOperation(trx, {
    id: operationId,
    payment_id: input.payment.id,
    kind: input.kind,
    requested_by: input.requestedBy,
    points: input.figures.points,
    amount_minor: input.figures.amountMinor,
  });
}

/** Capture, once: the whole authorization or part of it; the rest goes back to the member. */
export async function capturePayment(
  deps: PointsPaymentDependencies,
  input: {
    merchantId: string;
    paymentId: string;
    amount: PaymentAmount | null;
    idempotency: Idempotency;
    now: Date;
  },
): Promise<PaymentReply> {
  return runOperation(deps, input.idempotency, async (trx) => {
    const payment = await lockMerchantPayment(trx, input.merchantId, input.paymentId);
    requireAuthorized(payment, input.now);
    const figures = input.amount
      ? priceAmount(priceOf(payment), input.amount)
      : { points: payment.authorized_points, amountMinor: payment.authorized_amount_minor };
    requireCapturable(payment.authorized_points, figures.points);
    // The whole authorization is worth what it was authorized at, whatever a part's rounding gives.
    if (figures.points === payment.authorized_points) figures.amountMinor = payment.authorized_amount_minor;
    return askOfAuthorized(trx, {
      payment,
      kind: 'capture',
      requestedBy: input.merchantId,
      figures,
      idempotency: input.idempotency,
      nextStatus: 'capturing',
    });
  });
}

/** Void: the order was cancelled before it shipped; the member's points are released. */
export async function voidPayment(
  deps: PointsPaymentDependencies,
  input: { merchantId: string; paymentId: string; idempotency: Idempotency; now: Date },
): Promise<PaymentReply> {
  return runOperation(deps, input.idempotency, async (trx) => {
    const payment = await lockMerchantPayment(trx, input.merchantId, input.paymentId);
    if (payment.status !== 'authorized') {
      throw new ProblemError('payment_not_authorized', `Points payment ${payment.id} is ${payment.status}.`);
    }
    return askOfAuthorized(trx, {
      payment,
      kind: 'void',
      requestedBy: input.merchantId,
      figures: { points: payment.authorized_points, amountMinor: 0n },
      idempotency: input.idempotency,
      nextStatus: 'voiding',
    });
  });
}

/**
 * The expiry sweep's void of an authorization past its end, in its own transaction; the void's
 * operation id, or null when the payment moved on meanwhile (captured or voided just in time).
 */
export async function expireAuthorization(context: ServiceContext, paymentId: string, now: Date) {
  return context.db.transaction().execute(async (trx) => {
    const payment = await lockPayment(trx, paymentId);
    if (payment?.status !== 'authorized' || payment.expires_at > now) return null;
    const operation = await askOfAuthorized(trx, {
      payment,
      kind: 'void',
      requestedBy: 'expiry',
      figures: { points: payment.authorized_points, amountMinor: 0n },
      idempotency: null,
      nextStatus: 'voiding',
    });
    return operation.id;
  });
}

/** Refund part or all of what was captured: the points go back to the member, the money back to the owner. */
export async function refundPayment(
  deps: PointsPaymentDependencies,
  input: { merchantId: string; paymentId: string; amount: PaymentAmount | null; idempotency: Idempotency },
): Promise<PaymentReply> {
  return runOperation(deps, input.idempotency, async (trx) => {
    const payment = await lockMerchantPayment(trx, input.merchantId, input.paymentId);
    if (payment.status !== 'captured') {
      throw new ProblemError('payment_not_captured', `Points payment ${payment.id} is ${payment.status}.`);
    }
    const counted = await countedRefunds(trx, payment.id);
    const price = priceOf(payment);
    // Priced below, by what is left of the capture: a part refund worth no money is refused there.
    const points = input.amount
      ? amountPoints(price, input.amount)
      : payment.captured_points - counted.points;
    if (points <= 0n) {
      throw new ProblemError('refund_exceeds_capture', `Points payment ${payment.id} is refunded in full.`);
    }
    const figures = refundFigures({
      price,
      capturedPoints: payment.captured_points,
      capturedAmountMinor: payment.captured_amount_minor,
      refundedPoints: counted.points,
      refundedAmountMinor: counted.amountMinor,
      points,
      ...(input.amount ? { field: amountField(input.amount) } : {}),
    });
    const operationId = newId('ppo');
    await bindKey(trx, input.idempotency, operationId);
    return insertOperation(trx, {
      id: operationId,
      payment_id: payment.id,
      kind: 'refund',
      requested_by: input.merchantId,
      points: figures.points,
      amount_minor: figures.amountMinor,
    });
  });
}

/** A payment, to its merchant or to the owner of the programme it spends. */
export async function readPayment(
  context: ServiceContext,
  partnerId: string,
  paymentId: string,
): Promise<PaymentView> {
  const view = await viewPayment(context, paymentId);
  if (view.payment.merchant_id !== partnerId && view.payment.owner_id !== partnerId) {
    throw new ProblemError('not_found', `Points payment ${paymentId} does not exist.`);
  }
  return view;
}
