// An accrual, a saga of one step at the earning programme: credit the member, then, in one
// transaction, the obligation (the merchant owes the programme's owner), the status and the webhooks.
// A refusal fails the accrual with the programme's code (nothing credited, nothing owed). A credit
// with no answer is retried under its key, then asked about (which fences the key): succeeded →
// completes; abandoned → fails. A programme that cannot even be asked leaves it for finance.
import { condition, defineQuery, defineUpdate, setHandler } from '@temporalio/workflow';
import { accrualProxies, deliverAll } from './accrual-saga.ts';
import { refusalOf } from './step-failures.ts';
import type { TransferTimeouts } from './transfer.workflow.ts';

export interface AccrualWorkflowInput {
  accrualId: string;
  timeouts: TransferTimeouts;
}

export type AccrualOutcome =
  | { status: 'completed' }
  | { status: 'failed'; code: string; detail: string }
  | { status: 'needs_attention'; reason: string };

export const awaitAccrualOutcomeUpdate = defineUpdate<AccrualOutcome | null, [number]>('awaitOutcome');
export const accrualOutcomeQuery = defineQuery<AccrualOutcome | null>('outcome');

export async function accrualWorkflow(input: AccrualWorkflowInput): Promise<AccrualOutcome> {
  const { accrualId } = input;
  const { step, patient, book, webhooks } = accrualProxies(input.timeouts);

  let outcome: AccrualOutcome | null = null;
  setHandler(accrualOutcomeQuery, () => outcome);
  setHandler(awaitAccrualOutcomeUpdate, async (waitMs) => {
    await condition(() => outcome !== null, waitMs);
    return outcome;
  });
  const finish = async (result: AccrualOutcome, deliveryIds: string[]) => {
    outcome = result;
    await deliverAll(webhooks, deliveryIds);
    return result;
  };
  const fail = async (code: string, detail: string) =>
    finish({ status: 'failed', code, detail }, await book.failAccrual(accrualId, code, detail));

  try {
    await step.creditAccrual(accrualId);
  } catch (error) {
    const refusal = refusalOf(error);
    if (refusal) return fail(refusal.code, refusal.detail);
    // No answer: a timeout is not a refusal, so ask. Asking fences the key, so "abandoned" means the
    // credit never happened and never will.
    let state: string;
    try {
      state = await patient.askAccrualCreditOutcome(accrualId);
    } catch (askError) {
      const reason = `the credit got no answer and the programme could not be asked about it: ${(askError as Error).message}`;
      return finish({ status: 'needs_attention', reason }, await book.flagAccrual(accrualId, reason));
    }
    if (state === 'abandoned')
      return fail('partner_unavailable', 'the credit got no answer and was abandoned');
  }
  return finish({ status: 'completed' }, await book.completeAccrual(accrualId));
}
