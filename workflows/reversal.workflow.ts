// A reversal (clawback) of a completed transfer, a saga like the transfer itself: take the points
// back at the target (the partner takes what the member still has, up to what is asked, and says
// how much), return the source points at the source, then record the opposite obligation. A refusal
// ends a step for good; a step with no answer is asked about (which fences it) before anything is
// compensated. Points taken back that cannot be returned are put back at the target; if even that
// fails, finance is told.
import {
  condition,
  defineQuery,
  defineUpdate,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';
import type { ReversalActivities } from './reversal-activities.ts';
import { refusalOf } from './step-failures.ts';
import type { TransferTimeouts } from './transfer.workflow.ts';
import type { WebhookActivities } from './webhook-activities.ts';

export interface ReversalWorkflowInput {
  reversalId: string;
  timeouts: TransferTimeouts;
}

export type ReversalOutcome =
  | { status: 'completed' }
  | { status: 'failed'; code: string; detail: string }
  | { status: 'needs_attention'; reason: string };

export const awaitReversalOutcomeUpdate = defineUpdate<ReversalOutcome | null, [number]>('awaitOutcome');
export const reversalOutcomeQuery = defineQuery<ReversalOutcome | null>('outcome');

export async function reversalWorkflow(input: ReversalWorkflowInput): Promise<ReversalOutcome> {
  const { reversalId, timeouts } = input;
  const retry = {
    initialInterval: '200 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
  } as const;
  const step = proxyActivities<ReversalActivities>({
    startToCloseTimeout: timeouts.stepAttemptMs,
    scheduleToCloseTimeout: timeouts.stepTotalMs,
    retry,
  });
  const patient = proxyActivities<ReversalActivities>({
    startToCloseTimeout: timeouts.stepAttemptMs,
    scheduleToCloseTimeout: timeouts.settleTotalMs,
    retry: { ...retry, maximumInterval: '1 minute' },
  });
  const book = proxyLocalActivities<ReversalActivities>({
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

  let outcome: ReversalOutcome | null = null;
  setHandler(reversalOutcomeQuery, () => outcome);
  setHandler(awaitReversalOutcomeUpdate, async (waitMs) => {
    await condition(() => outcome !== null, waitMs);
    return outcome;
  });

  async function finish(result: ReversalOutcome, deliveryIds: string[]): Promise<ReversalOutcome> {
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

  const fail = async (code: string, detail: string) =>
    finish({ status: 'failed', code, detail }, await book.failReversal(reversalId, code, detail));
  const flag = async (reason: string) =>
    finish({ status: 'needs_attention', reason }, await book.flagReversalForFinance(reversalId, reason));
  /** Asks what became of a step; a partner that cannot even be asked for that long is finance's. */
  const ask = async (stepName: 'reverse' | 'credit') => {
    try {
      return await patient.askReversalStepOutcome(reversalId, stepName);
    } catch (error) {
      return { unanswered: (error as Error).message };
    }
  };

  // 1. Take back at the target: the answer says how many points it took, and so what to return.
  let toReturn: string;
  try {
    toReturn = await step.takeBackAtTarget(reversalId);
  } catch (error) {
    const refusal = refusalOf(error);
    if (refusal) return fail(refusal.code, refusal.detail);
    // No answer: a timeout is not a refusal, so ask. A reversal that took effect is asked again under
    // its key, which answers with its first figure.
    const state = await ask('reverse');
    if (state === 'abandoned')
      return fail('partner_unavailable', 'the take-back got no answer and was abandoned');
    if (typeof state !== 'string')
      return flag(`the take-back's outcome could not be learnt: ${state.unanswered}`);
    try {
      toReturn = await patient.takeBackAtTarget(reversalId);
    } catch (replayError) {
      return flag(
        `the take-back took effect but its figure could not be read: ${(replayError as Error).message}`,
      );
    }
  }

  // 2. Return at the source what the agreement says the member gets back.
  if (BigInt(toReturn) > 0n) {
    let failure: { code: string; detail: string } | null = null;
    try {
      await step.returnAtSource(reversalId);
    } catch (error) {
      failure = refusalOf(error);
      if (!failure) {
        const state = await ask('credit');
        if (typeof state !== 'string')
          return flag(`the return's outcome could not be learnt: ${state.unanswered}`);
        if (state === 'abandoned') {
          failure = {
            code: 'partner_unavailable',
            detail: 'the return at the source got no answer and was abandoned',
          };
        }
      }
    }
    if (failure) {
      try {
        await patient.restoreAtTarget(reversalId);
      } catch (error) {
        return flag(
          `points were taken back at the target but could be neither returned at the source (${failure.code}) nor restored at the target: ${refusalOf(error)?.code ?? (error as Error).message}`,
        );
      }
      return fail(failure.code, `${failure.detail}; the points taken back were restored at the target`);
    }
  }
  return finish({ status: 'completed' }, await book.completeReversal(reversalId));
}
