// A points payment's activities: each step at the member's programme under its key, and the
// bookkeeping in our database. Keys: `<paymentId>:reserve`, `:post`, `:void` and `:release` (the
// uncaptured rest credited back after a partial capture), `<refundOperationId>:credit` per refund.
// A refusal is a non-retryable ApplicationFailure whose type is the partner's code; a fault is
// thrown as is and retried with the same key.
import { ApplicationFailure } from '@temporalio/common';
import type { PartnerAnswer, StepState } from '../adapters/loyalty-adapter.ts';
import type { AdapterResolver } from '../adapters/resolver.ts';
import { profileSlice, scaleProfile } from '../domain/point-lots.ts';
import type { Db } from '../store/connection.ts';
import type { PointsPayment, PointsPaymentOperation } from '../store/database.ts';
import {
  endOperation,
  findOperation,
  findPayment,
  type OperationEnd,
  recordPaymentStep,
} from '../store/points-payments.ts';
import { keepReservedExpiryProfile, reservedExpiryProfile } from '../store/reserved-expiry-profiles.ts';

export type PaymentStep = 'reserve' | 'post' | 'void' | 'release' | 'refund';

export function paymentStepKey(paymentId: string, operationId: string, step: PaymentStep): string {
  return step === 'refund' ? `${operationId}:credit` : `${paymentId}:${step}`;
}

export interface PointsPaymentActivityDependencies {
  db: Db;
  adapters: AdapterResolver;
}

export function createPointsPaymentActivities(deps: PointsPaymentActivityDependencies) {
  async function load(
    operationId: string,
  ): Promise<{ operation: PointsPaymentOperation; payment: PointsPayment }> {
    const operation = await findOperation(deps.db, operationId);
    const payment = operation && (await findPayment(deps.db, operation.payment_id));
    if (!operation || !payment) {
      throw ApplicationFailure.nonRetryable(`operation ${operationId} does not exist`, 'operation_missing');
    }
    return { operation, payment };
  }

  async function settle(
    loaded: { operation: PointsPaymentOperation; payment: PointsPayment },
    step: PaymentStep,
    answer: PartnerAnswer,
  ): Promise<void> {
    const at = { paymentId: loaded.payment.id, operationId: loaded.operation.id, step };
    if (answer.outcome === 'refused') {
      await recordPaymentStep(deps.db, {
        ...at,
        outcome: 'refused',
        detail: `${answer.code}: ${answer.detail}`,
      });
      throw ApplicationFailure.nonRetryable(answer.detail || answer.code, answer.code);
    }
    await recordPaymentStep(deps.db, { ...at, outcome: 'done' });
  }

  async function call(operationId: string, step: PaymentStep): Promise<void> {
    const loaded = await load(operationId);
    const { payment, operation } = loaded;
    const adapter = await deps.adapters.forProgram(payment.program_id);
    const key = paymentStepKey(payment.id, operation.id, step);
    const reservationKey = paymentStepKey(payment.id, operation.id, 'reserve');
    const reason = `alliance points payment ${payment.id} at ${payment.merchant_id} (${payment.order_reference})`;
    const paidWith = reservedExpiryProfile(payment);
    switch (step) {
      case 'reserve': {
        const answer = await adapter.reserve({
          key,
          accountRef: payment.account_ref,
          points: payment.authorized_points,
          expiresAt: payment.reservation_expires_at,
          reason,
        });
        // Kept before the step is recorded: what is given back later (the rest, refunds) carries it.
        if (answer.outcome === 'done')
          await keepReservedExpiryProfile(
            deps.db,
            { table: 'points_payments', id: payment.id },
            answer.expiryProfile,
          );
        return settle(loaded, step, answer);
      }
      case 'post':
        return settle(loaded, step, await adapter.post({ key, reservationKey }));
      case 'void':
        return settle(loaded, step, await adapter.void({ key, reservationKey }));
      case 'release': {
        // A partial capture posts the whole reservation (the contract's post takes no amount), then
        // credits the member back what was not captured.
        const rest = payment.authorized_points - operation.points;
        if (rest <= 0n) return;
        return settle(
          loaded,
          step,
          await adapter.credit({
            key,
            accountRef: payment.account_ref,
            points: rest,
            reason: `${reason}: uncaptured`,
            // What was captured was paid with the soonest points; the rest are the later ones.
            ...(paidWith ? { expiryProfile: profileSlice(paidWith, operation.points, rest) } : {}),
          }),
        );
      }
      case 'refund':
        return settle(
          loaded,
          step,
          await adapter.credit({
            key,
            accountRef: payment.account_ref,
            points: operation.points,
            reason: `${reason}: refund`,
            // A share of what was captured, never fresher than it.
            ...(paidWith
              ? {
                  expiryProfile: scaleProfile(
                    profileSlice(paidWith, 0n, payment.captured_points),
                    operation.points,
                  ),
                }
              : {}),
          }),
        );
    }
  }

  return {
    paymentOperationKind: async (operationId: string): Promise<PointsPaymentOperation['kind']> =>
      (await load(operationId)).operation.kind,

    reserveForPayment: (operationId: string) => call(operationId, 'reserve'),
    postForPayment: (operationId: string) => call(operationId, 'post'),
    voidForPayment: (operationId: string) => call(operationId, 'void'),
    releaseForPayment: (operationId: string) => call(operationId, 'release'),
    refundForPayment: (operationId: string) => call(operationId, 'refund'),

    /** Asks what became of a step that got no answer; the partner fences a key it never saw. */
    async askPaymentStepOutcome(operationId: string, step: PaymentStep): Promise<StepState> {
      const { payment, operation } = await load(operationId);
      const adapter = await deps.adapters.forProgram(payment.program_id);
      const state = await adapter.outcome(paymentStepKey(payment.id, operation.id, step));
      await recordPaymentStep(deps.db, {
        paymentId: payment.id,
        operationId,
        step: `${step}_outcome_asked`,
        outcome: state,
      });
      return state;
    },

    endPaymentOperation: (operationId: string, end: OperationEnd): Promise<string[]> =>
      endOperation(deps.db, { operationId, end }),
  };
}

export type PointsPaymentActivities = ReturnType<typeof createPointsPaymentActivities>;
