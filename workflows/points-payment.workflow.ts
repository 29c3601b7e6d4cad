// One operation of a points payment, a saga at the member's programme like a transfer's steps:
//   authorize: reserve the points;
//   capture:   post the reservation, then credit back the part not captured;
//   void:      void the reservation (asked by the merchant, or by the expiry sweep);
//   refund:    credit points back after a capture.
// A refusal ends a step for good; a step with no answer is retried with the same key, then asked
// about (which fences it at the partner) before anything is compensated. The operation's end
// (status, figures, obligation, webhooks) is one transaction.
import {
  condition,
  defineQuery,
  defineUpdate,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';
import type { OperationEnd } from '../store/points-payments.ts';
import type { PaymentStep, PointsPaymentActivities } from './points-payment-activities.ts';
import { refusalOf } from './step-failures.ts';
import type { TransferTimeouts } from './transfer.workflow.ts';
import type { WebhookActivities } from './webhook-activities.ts';

export interface PointsPaymentInput {
  operationId: string;
  timeouts: TransferTimeouts;
}

export type PointsPaymentOutcome = 'completed' | 'failed' | 'needs_attention';

export const awaitPaymentOutcomeUpdate = defineUpdate<PointsPaymentOutcome | null, [number]>('awaitOutcome');
export const paymentOutcomeQuery = defineQuery<PointsPaymentOutcome | null>('outcome');

type StepResult = { ok: true } | { ok: false; code: string; detail: string };

export async function pointsPaymentWorkflow(input: PointsPaymentInput): Promise<PointsPaymentOutcome> {
  const { operationId, timeouts } = input;
  const retry = {
    initialInterval: '200 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
  } as const;
  const step = proxyActivities<PointsPaymentActivities>({
    startToCloseTimeout: timeouts.stepAttemptMs,
    scheduleToCloseTimeout: timeouts.stepTotalMs,
    retry,
  });
  const patient = proxyActivities<PointsPaymentActivities>({
    startToCloseTimeout: timeouts.stepAttemptMs,
    scheduleToCloseTimeout: timeouts.settleTotalMs,
    retry: { ...retry, maximumInterval: '1 minute' },
  });
  const book = proxyLocalActivities<PointsPaymentActivities>({
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: '1 hour',
    retry,
  });
  const webhooks = proxyActivities<WebhookActivities>({
    startToCloseTimeout: timeouts.stepAttemptMs,
    scheduleToCloseTimeout: timeouts.webhookTotalMs,
    retry: { ...retry, maximumInterval: '5 minutes' },
  });
  const bookWebhooks = proxyActivities<WebhookActivities>({
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: '1 hour',
    retry,
  });

  let outcome: PointsPaymentOutcome | null = null;
  setHandler(paymentOutcomeQuery, () => outcome);
  setHandler(awaitPaymentOutcomeUpdate, async (waitMs) => {
    await condition(() => outcome !== null, waitMs);
    return outcome;
  });

  async function end(result: PointsPaymentOutcome, how: OperationEnd): Promise<PointsPaymentOutcome> {
    const deliveryIds = await book.endPaymentOperation(operationId, how);
    outcome = result;
    await Promise.all(
      deliveryIds.map(async (deliveryId) => {
        try {
          await webhooks.deliverWebhook(deliveryId);
        } catch (error) {
          await bookWebhooks.markWebhookFailed(deliveryId, (error as Error).message);
        }
      }),
    );
    return result;
  }

  /** Runs a step; a fault past its budget is asked about: a timeout is not a refusal. */
  async function attempt(run: () => Promise<void>, stepName: PaymentStep): Promise<StepResult> {
    try {
      await run();
      return { ok: true };
    } catch (error) {
      const refusal = refusalOf(error);
      if (refusal) return { ok: false, ...refusal };
      const state = await patient.askPaymentStepOutcome(operationId, stepName);
      return state === 'succeeded'
        ? { ok: true }
        : {
            ok: false,
            code: 'partner_unavailable',
            detail: `the ${stepName} got no answer and was abandoned`,
          };
    }
  }

  const kind = await book.paymentOperationKind(operationId);
  switch (kind) {
    case 'authorize': {
      const reserved = await attempt(() => step.reserveForPayment(operationId), 'reserve');
      if (reserved.ok) return end('completed', { kind: 'authorized' });
      return end('failed', { kind: 'failed', ...reserved, paymentStatus: 'failed' });
    }
    case 'capture': {
      const posted = await attempt(() => patient.postForPayment(operationId), 'post');
      if (!posted.ok) {
        // Nothing was taken: make sure the hold is gone (voiding an expired one changes nothing).
        try {
          await patient.voidForPayment(operationId);
        } catch (error) {
          const detail = `the post failed (${posted.code}) and the reservation could not be voided: ${refusalOf(error)?.code ?? (error as Error).message}`;
          return end('needs_attention', {
            kind: 'failed',
            code: 'needs_attention',
            detail,
            paymentStatus: 'needs_attention',
            attention: true,
          });
        }
        const paymentStatus = posted.code === 'reservation_expired' ? 'expired' : 'voided';
        return end('failed', { kind: 'failed', ...posted, paymentStatus });
      }
      const released = await attempt(() => patient.releaseForPayment(operationId), 'release');
      if (released.ok) return end('completed', { kind: 'captured', attention: null });
      return end('needs_attention', {
        kind: 'captured',
        attention: `the uncaptured points could not be credited back to the member (${released.code}: ${released.detail})`,
      });
    }
    case 'void': {
      try {
        await patient.voidForPayment(operationId);
      } catch (error) {
        const refusal = refusalOf(error);
        if (refusal) {
          return end('needs_attention', {
            kind: 'failed',
            code: refusal.code,
            detail: `the void was refused: ${refusal.detail}`,
            paymentStatus: 'needs_attention',
            attention: true,
          });
        }
        // No answer for the whole budget: asking fences the void if it never arrived, and the
        // programme releases the hold at the reservation's own expiry either way; nothing can post
        // it any more, since the payment is no longer authorized.
        await patient.askPaymentStepOutcome(operationId, 'void');
      }
      return end('completed', { kind: 'voided' });
    }
    case 'refund': {
      const credited = await attempt(() => step.refundForPayment(operationId), 'refund');
      if (credited.ok) return end('completed', { kind: 'refunded' });
      return end('failed', { kind: 'failed', ...credited, paymentStatus: null });
    }
  }
}
