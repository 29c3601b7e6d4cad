// A refund of an accrued purchase, a saga of one step at the earning programme: take the points back
// (the programme takes what the member still has, up to what is asked, and says how many), then, in
// one transaction, the opposite obligation for what was taken back, the shortfall, the status and
// the webhooks. A refusal fails the refund (nothing taken, nothing given back); a take-back with no
// answer is asked about (which fences it): abandoned → fails; succeeded → asked again under its key,
// which answers with its first figure. A programme that cannot be asked leaves it for finance.
import { condition, defineQuery, defineUpdate, setHandler } from '@temporalio/workflow';
import type { AccrualOutcome } from './accrual.workflow.ts';
import { accrualProxies, deliverAll } from './accrual-saga.ts';
import { refusalOf } from './step-failures.ts';
import type { TransferTimeouts } from './transfer.workflow.ts';

export interface AccrualReversalWorkflowInput {
  reversalId: string;
  timeouts: TransferTimeouts;
}

export const awaitAccrualReversalOutcomeUpdate = defineUpdate<AccrualOutcome | null, [number]>(
  'awaitOutcome',
);
export const accrualReversalOutcomeQuery = defineQuery<AccrualOutcome | null>('outcome');

export async function accrualReversalWorkflow(input: AccrualReversalWorkflowInput): Promise<AccrualOutcome> {
  const { reversalId } = input;
  const { step, patient, book, webhooks } = accrualProxies(input.timeouts);

  let outcome: AccrualOutcome | null = null;
  setHandler(accrualReversalOutcomeQuery, () => outcome);
  setHandler(awaitAccrualReversalOutcomeUpdate, async (waitMs) => {
    await condition(() => outcome !== null, waitMs);
    return outcome;
  });
  const finish = async (result: AccrualOutcome, deliveryIds: string[]) => {
    outcome = result;
    await deliverAll(webhooks, deliveryIds);
    return result;
  };
  const end = async (status: 'failed' | 'needs_attention', code: string, detail: string) =>
    finish(
      status === 'failed' ? { status, code, detail } : { status, reason: detail },
      await book.endAccrualReversal(reversalId, status, code, detail),
    );

  let taken: string;
  try {
    taken = await step.takeBackAccrual(reversalId);
  } catch (error) {
    const refusal = refusalOf(error);
    if (refusal) return end('failed', refusal.code, refusal.detail);
    try {
      if ((await patient.askAccrualTakeBackOutcome(reversalId)) === 'abandoned') {
        return end('failed', 'partner_unavailable', 'the take-back got no answer and was abandoned');
      }
      taken = await patient.takeBackAccrual(reversalId);
    } catch (askError) {
      return end(
        'needs_attention',
        'needs_attention',
        `the take-back got no answer and its outcome could not be learned: ${(askError as Error).message}`,
      );
    }
  }
  return finish({ status: 'completed' }, await book.completeAccrualReversal(reversalId, taken));
}
