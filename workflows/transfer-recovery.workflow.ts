// Drives to an end a transfer whose own workflow stopped in the middle (terminated by hand, failed,
// timed out), started by the stranded-transfer sweep under `<transferId>:recovery:<n>`: the
// transfer's id cannot run a workflow twice. It acts on what the partners say happened, never on
// what the stopped run may have done: it asks the outcome of the reserve, then of the credit (asking
// fences a key that never arrived, so a request of the stopped run still in flight is refused), then
// posts and completes, or voids and fails. Every call uses the transfer's own step keys, so a step
// the stopped run did is replayed by the partner, never done twice.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import { refusalOf } from './step-failures.ts';
import type { TransferOutcome, TransferTimeouts } from './transfer.workflow.ts';
import type { TransferActivities } from './transfer-activities.ts';
import type { WebhookActivities } from './webhook-activities.ts';

export interface TransferRecoveryInput {
  transferId: string;
  timeouts: TransferTimeouts;
}

/** The failure code of a transfer whose run stopped before a step took effect. */
export const interruptedCode = 'transfer_interrupted';

type StepState = Awaited<ReturnType<TransferActivities['askStepOutcome']>>;

export async function transferRecoveryWorkflow(input: TransferRecoveryInput): Promise<TransferOutcome> {
  const { transferId, timeouts } = input;
  const retry = {
    initialInterval: '200 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
  } as const;
  // Everything here waits as long as a post does: nothing is compensated on a guess.
  const patient = proxyActivities<TransferActivities>({
    startToCloseTimeout: timeouts.stepAttemptMs,
    scheduleToCloseTimeout: timeouts.settleTotalMs,
    retry,
  });
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

  async function finish(result: TransferOutcome, deliveryIds: string[]): Promise<TransferOutcome> {
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

  async function flag(reason: string): Promise<TransferOutcome> {
    return finish({ status: 'needs_attention', reason }, await book.flagForFinance(transferId, reason));
  }

  async function fail(detail: string): Promise<TransferOutcome> {
    return finish(
      { status: 'failed', code: interruptedCode, detail },
      await book.failTransfer(transferId, interruptedCode, detail),
    );
  }

  /** The step's outcome, or why it could not be learnt within the patient budget. */
  async function ask(step: 'reserve' | 'credit'): Promise<StepState | { unknown: string }> {
    try {
      return await patient.askStepOutcome(transferId, step);
    } catch (error) {
      return { unknown: refusalOf(error)?.code ?? (error as Error).message };
    }
  }

  const reserved = await ask('reserve');
  if (typeof reserved === 'object') {
    return flag(`recovery could not learn the outcome of the reserve: ${reserved.unknown}`);
  }
  if (reserved === 'abandoned') {
    return fail(
      'its run stopped before the reserve took effect, and the source partner confirmed it never will',
    );
  }

  const credited = await ask('credit');
  if (typeof credited === 'object') {
    return flag(`recovery could not learn the outcome of the credit: ${credited.unknown}`);
  }
  if (credited === 'abandoned') {
    try {
      await patient.voidAtSource(transferId);
    } catch (error) {
      return flag(
        `recovery: the credit never took effect and the reservation could not be voided: ${refusalOf(error)?.code ?? (error as Error).message}`,
      );
    }
    return fail(
      'its run stopped before the credit took effect, and the target partner confirmed it never will',
    );
  }

  try {
    await patient.postAtSource(transferId);
  } catch (error) {
    return flag(
      `recovery: the target credited but the source could not post: ${refusalOf(error)?.code ?? (error as Error).message}`,
    );
  }
  return finish({ status: 'completed' }, await book.completeTransfer(transferId));
}
