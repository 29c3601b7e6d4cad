// A catalog order, a saga like a transfer with one partner: reserve the member's points at their
// programme, post them, then issue the coupon and record what the member's programme owes the
// publisher. The stock, the member's count and any pool code were taken when the order was placed;
// a failure gives them back, and an order that needs attention (whether the member paid is not known)
// keeps them for finance. A refusal ends a step for good; a step with no answer is asked
// about (which fences it) before anything is given back; a refused post voids the reservation.
import { patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { CatalogOrderActivities } from './catalog-order-activities.ts';
import { refusalOf } from './step-failures.ts';
import type { TransferTimeouts } from './transfer.workflow.ts';
import type { WebhookActivities } from './webhook-activities.ts';

export interface CatalogOrderInput {
  orderId: string;
  timeouts: TransferTimeouts;
}

export type CatalogOrderOutcome = 'completed' | 'failed' | 'needs_attention';

export async function catalogOrderWorkflow(input: CatalogOrderInput): Promise<CatalogOrderOutcome> {
  const { orderId, timeouts } = input;
  const retry = {
    initialInterval: '200 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
  } as const;
  const step = proxyActivities<CatalogOrderActivities>({
    startToCloseTimeout: timeouts.stepAttemptMs,
    scheduleToCloseTimeout: timeouts.stepTotalMs,
    retry,
  });
  const patient = proxyActivities<CatalogOrderActivities>({
    startToCloseTimeout: timeouts.stepAttemptMs,
    scheduleToCloseTimeout: timeouts.settleTotalMs,
    retry: { ...retry, maximumInterval: '1 minute' },
  });
  const book = proxyLocalActivities<CatalogOrderActivities>({
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

  async function finish(outcome: CatalogOrderOutcome, deliveryIds: string[]): Promise<CatalogOrderOutcome> {
    await Promise.all(
      deliveryIds.map(async (deliveryId) => {
        try {
          await webhooks.deliverWebhook(deliveryId);
        } catch (error) {
          await bookWebhooks.markWebhookFailed(deliveryId, (error as Error).message);
        }
      }),
    );
    return outcome;
  }
  const fail = async (code: string, detail: string) =>
    finish('failed', await book.failCatalogOrder(orderId, code, detail, 'failed'));

  const expiresAt = new Date(Date.now() + timeouts.reservationTtlMs).toISOString();
  try {
    await step.reserveForOrder(orderId, expiresAt);
  } catch (error) {
    const refusal = refusalOf(error);
    if (refusal) return fail(refusal.code, refusal.detail);
    if ((await patient.askOrderStepOutcome(orderId)) === 'abandoned') {
      return fail('partner_unavailable', 'the reservation got no answer and was abandoned');
    }
  }

  try {
    await patient.postForOrder(orderId);
  } catch (error) {
    // A post with no answer may have been applied: ask (which fences its key) before giving anything
    // back. Applied, the order completes; a void would be refused and the member charged for nothing.
    if (!refusalOf(error) && patched('ask-post-outcome')) {
      let state: string;
      try {
        state = await patient.askOrderStepOutcome(orderId, 'post');
      } catch (askError) {
        const reason = `the post got no answer and the partner could not be asked about it: ${(askError as Error).message}`;
        return finish(
          'needs_attention',
          await book.failCatalogOrder(orderId, 'needs_attention', reason, 'needs_attention'),
        );
      }
      if (state === 'succeeded') return finish('completed', await book.completeCatalogOrder(orderId));
    }
    const refusal = refusalOf(error) ?? { code: 'partner_unavailable', detail: (error as Error).message };
    try {
      await patient.voidForOrder(orderId);
    } catch (voidError) {
      const reason = `the post failed (${refusal.code}) and the reservation could not be voided: ${refusalOf(voidError)?.code ?? (voidError as Error).message}`;
      return finish(
        'needs_attention',
        await book.failCatalogOrder(orderId, 'needs_attention', reason, 'needs_attention'),
      );
    }
    return fail(refusal.code, refusal.detail);
  }
  return finish('completed', await book.completeCatalogOrder(orderId));
}
