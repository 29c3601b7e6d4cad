// The two-phase transfer, after TigerBeetle's pending/post/void: reserve at the source, credit at the
// target, post the reservation, record what the source partner owes, notify both partners.
// A refusal ends a step for good; a step with no answer is asked about (which fences it at the
// partner) before anything is compensated. Once the target has credited, the post is retried for as
// long as it takes; if the source can no longer honour it, finance is told.
import {
  condition,
  defineQuery,
  defineUpdate,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';
import { refusalOf } from './step-failures.ts';
import type { TransferActivities } from './transfer-activities.ts';
import type { WebhookActivities } from './webhook-activities.ts';

export interface TransferTimeouts {
  /** One call to a partner. */
  stepAttemptMs: number;
  /** All attempts of reserve or credit before the outcome is asked. */
  stepTotalMs: number;
  /** All attempts of post (and of a compensating void) before finance is told. */
  settleTotalMs: number;
  /** How long the source holds the points; a hold too short for the credit and the post is let go. */
  reservationTtlMs: number;
  /** All attempts of one webhook. */
  webhookTotalMs: number;
}

export interface TransferWorkflowInput {
  transferId: string;
  timeouts: TransferTimeouts;
}

export type TransferOutcome =
  | { status: 'completed' }
  | { status: 'failed'; code: string; detail: string }
  | { status: 'needs_attention'; reason: string };

/** Answers once the outcome is known, or after waitMs with null; the API uses it to reply early. */
export const awaitOutcomeUpdate = defineUpdate<TransferOutcome | null, [number]>('awaitOutcome');
export const outcomeQuery = defineQuery<TransferOutcome | null>('outcome');

type StepResult = { ok: true } | { ok: false; code: string; detail: string };

export async function transferWorkflow(input: TransferWorkflowInput): Promise<TransferOutcome> {
  const { transferId, timeouts } = input;
  const retry = {
    initialInterval: '200 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
  } as const;
  const step = proxyActivities<TransferActivities>({
    startToCloseTimeout: timeouts.stepAttemptMs,
    scheduleToCloseTimeout: timeouts.stepTotalMs,
    retry,
  });
  const patient = proxyActivities<TransferActivities>({
    startToCloseTimeout: timeouts.stepAttemptMs,
    scheduleToCloseTimeout: timeouts.settleTotalMs,
    retry: { ...retry, maximumInterval: '1 minute' },
  });
  // Bookkeeping in our own database is short and local: local activities spare it the task queue
  // round trips and history events of a regular activity.
  const book = proxyLocalActivities<TransferActivities>({
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: '1 hour',
    retry,
  });
  const bookWebhooks = proxyActivities<WebhookActivities>({
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: '1 hour',
    retry,
  });
  const webhooks = proxyActivities<WebhookActivities>({
    startToCloseTimeout: timeouts.stepAttemptMs,
    scheduleToCloseTimeout: timeouts.webhookTotalMs,
    retry: { ...retry, maximumInterval: '5 minutes' },
  });

  let outcome: TransferOutcome | null = null;
  setHandler(outcomeQuery, () => outcome);
  setHandler(awaitOutcomeUpdate, async (waitMs) => {
    await condition(() => outcome !== null, waitMs);
    return outcome;
  });

  async function attempt(run: () => Promise<void>, stepName: 'reserve' | 'credit'): Promise<StepResult> {
    try {
      await run();
      return { ok: true };
    } catch (error) {
      const refusal = refusalOf(error);
      if (refusal) return { ok: false, ...refusal };
      // No answer within the step's budget: a timeout is not a refusal, so ask.
      const state = await patient.askStepOutcome(transferId, stepName);
      return state === 'succeeded'
        ? { ok: true }
        : {
            ok: false,
            code: 'partner_unavailable',
            detail: `the ${stepName} got no answer and was abandoned`,
          };
    }
  }

  async function deliver(deliveryIds: string[]): Promise<void> {
    await Promise.all(
      deliveryIds.map(async (deliveryId) => {
        try {
          await webhooks.deliverWebhook(deliveryId);
        } catch (error) {
          await bookWebhooks.markWebhookFailed(deliveryId, (error as Error).message);
        }
      }),
    );
  }

  async function finish(result: TransferOutcome, deliveryIds: string[]): Promise<TransferOutcome> {
    outcome = result;
    await deliver(deliveryIds);
    return result;
  }

  const reservationExpiresAt = new Date(Date.now() + timeouts.reservationTtlMs).toISOString();
  const reserved = await attempt(() => step.reserveAtSource(transferId, reservationExpiresAt), 'reserve');
  if (!reserved.ok) {
    return finish(
      { status: 'failed', ...reserved },
      await book.failTransfer(transferId, reserved.code, reserved.detail),
    );
  }

  // A hold that ends before the credit and the post could be made (the reserve's outcome asked for
  // longer than the hold lasts) would be credited at the target and then refused at the source: the
  // hold is let go instead, and the transfer fails having moved nothing. In this branch nothing was
  // posted, so a void the source refuses means nothing is held any more.
  const holdLeftMs = Date.parse(reservationExpiresAt) - Date.now();
  if (patched('no-credit-past-hold') && holdLeftMs <= timeouts.stepTotalMs + timeouts.stepAttemptMs) {
    try {
      await patient.voidAtSource(transferId);
    } catch (error) {
      if (!refusalOf(error)) {
        const reason = `the hold ran out before the credit, and the source could not be asked to let it go: ${(error as Error).message}`;
        return finish({ status: 'needs_attention', reason }, await book.flagForFinance(transferId, reason));
      }
    }
    const detail = 'the source held the points too briefly for the credit and the post; nothing moved';
    return finish(
      { status: 'failed', code: 'reservation_expired', detail },
      await book.failTransfer(transferId, 'reservation_expired', detail),
    );
  }

  const credited = await attempt(() => step.creditAtTarget(transferId), 'credit');
  if (!credited.ok) {
    try {
      await patient.voidAtSource(transferId);
    } catch (error) {
      const reason = `the credit failed (${credited.code}) and the reservation could not be voided: ${refusalOf(error)?.code ?? (error as Error).message}`;
      return finish({ status: 'needs_attention', reason }, await book.flagForFinance(transferId, reason));
    }
    return finish(
      { status: 'failed', ...credited },
      await book.failTransfer(transferId, credited.code, credited.detail),
    );
  }

  try {
    await patient.postAtSource(transferId);
  } catch (error) {
    const reason = `the target credited but the source could not post: ${refusalOf(error)?.code ?? (error as Error).message}`;
    return finish({ status: 'needs_attention', reason }, await book.flagForFinance(transferId, reason));
  }
  return finish({ status: 'completed' }, await book.completeTransfer(transferId));
}
