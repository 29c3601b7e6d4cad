// The accrual's and its refunds' activities: the credit at the earning programme under the key
// `<accrualId>:credit`, a refund's take-back under `<reversalId>:reverse` (reverseCredit of that
// credit: the programme takes what the member still has, up to what is asked), the questions about
// a step that got no answer, and the bookkeeping. A refusal is a non-retryable ApplicationFailure
// whose type is the programme's code; a fault is thrown as is, and Temporal retries it with the key.
import { ApplicationFailure } from '@temporalio/common';
import type { StepState } from '../adapters/loyalty-adapter.ts';
import type { AdapterResolver } from '../adapters/resolver.ts';
import {
  completeAccrualReversal,
  endAccrualReversal,
  findAccrualReversal,
} from '../store/accrual-reversals.ts';
import {
  completeAccrual,
  failAccrual,
  findAccrual,
  flagAccrual,
  recordAccrualStep,
} from '../store/accruals.ts';
import type { Db } from '../store/connection.ts';
import type { Accrual, AccrualReversal } from '../store/database.ts';

export interface AccrualActivityDependencies {
  db: Db;
  adapters: AdapterResolver;
}

export const accrualCreditKey = (accrualId: string) => `${accrualId}:credit`;
export const accrualReverseKey = (reversalId: string) => `${reversalId}:reverse`;

export function createAccrualActivities(deps: AccrualActivityDependencies) {
  async function load(accrualId: string): Promise<Accrual> {
    const accrual = await findAccrual(deps.db, accrualId);
    if (!accrual)
      throw ApplicationFailure.nonRetryable(`accrual ${accrualId} does not exist`, 'accrual_missing');
    return accrual;
  }

  async function loadRefund(reversalId: string): Promise<{ reversal: AccrualReversal; accrual: Accrual }> {
    const reversal = await findAccrualReversal(deps.db, reversalId);
    if (!reversal) {
      throw ApplicationFailure.nonRetryable(
        `accrual reversal ${reversalId} does not exist`,
        'reversal_missing',
      );
    }
    return { reversal, accrual: await load(reversal.accrual_id) };
  }

  const refuse = async (accrualId: string, step: string, code: string, detail: string): Promise<never> => {
    await recordAccrualStep(deps.db, { accrualId, step, outcome: 'refused', detail: `${code}: ${detail}` });
    throw ApplicationFailure.nonRetryable(detail || code, code);
  };

  return {
    /** Credits the accrual's points to the member at the earning programme. */
    async creditAccrual(accrualId: string): Promise<void> {
      const accrual = await load(accrualId);
      const adapter = await deps.adapters.forProgram(accrual.program_id);
      const answer = await adapter.credit({
        key: accrualCreditKey(accrual.id),
        accountRef: accrual.account_ref,
        points: accrual.points,
        reason: `alliance accrual ${accrual.id}: order ${accrual.order_reference} at ${accrual.merchant_partner_id}`,
      });
      if (answer.outcome === 'refused') await refuse(accrual.id, 'credit', answer.code, answer.detail);
      await recordAccrualStep(deps.db, { accrualId: accrual.id, step: 'credit', outcome: 'done' });
    },

    /** Asks what became of the credit that got no answer; the programme fences an unknown key. */
    async askAccrualCreditOutcome(accrualId: string): Promise<StepState> {
      const accrual = await load(accrualId);
      const adapter = await deps.adapters.forProgram(accrual.program_id);
      const state = await adapter.outcome(accrualCreditKey(accrual.id));
      await recordAccrualStep(deps.db, { accrualId, step: 'credit_outcome_asked', outcome: state });
      return state;
    },

    completeAccrual: (accrualId: string): Promise<string[]> => completeAccrual(deps.db, accrualId),

    failAccrual: (accrualId: string, code: string, detail: string): Promise<string[]> =>
      failAccrual(deps.db, { accrualId, code, detail }),

    flagAccrual: (accrualId: string, reason: string): Promise<string[]> =>
      flagAccrual(deps.db, { accrualId, reason }),

    /**
     * Takes the refund's points back at the earning programme; returns how many it took (a decimal
     * string, as workflow histories keep JSON). A member with none left is a shortfall, not a refusal.
     */
    async takeBackAccrual(reversalId: string): Promise<string> {
      const { reversal, accrual } = await loadRefund(reversalId);
      const step = `${reversal.id}:reverse`;
      if (reversal.points === 0n) return '0';
      const adapter = await deps.adapters.forProgram(accrual.program_id);
      const answer = await adapter.reverseCredit({
        key: accrualReverseKey(reversal.id),
        creditKey: accrualCreditKey(accrual.id),
        points: reversal.points,
        reason: `alliance refund ${reversal.id} of accrual ${accrual.id}: ${reversal.reason}`,
      });
      if (answer.outcome === 'refused' && answer.code !== 'insufficient_points') {
        await refuse(accrual.id, step, answer.code, answer.detail);
      }
      const taken = answer.outcome === 'done' ? answer.reversedPoints : 0n;
      await recordAccrualStep(deps.db, {
        accrualId: accrual.id,
        step,
        outcome: taken > 0n ? 'done' : 'nothing_left',
        detail: `took back ${taken} of ${reversal.points}`,
      });
      return String(taken);
    },

    async askAccrualTakeBackOutcome(reversalId: string): Promise<StepState> {
      const { reversal, accrual } = await loadRefund(reversalId);
      const adapter = await deps.adapters.forProgram(accrual.program_id);
      const state = await adapter.outcome(accrualReverseKey(reversal.id));
      await recordAccrualStep(deps.db, {
        accrualId: accrual.id,
        step: `${reversal.id}:reverse_outcome_asked`,
        outcome: state,
      });
      return state;
    },

    completeAccrualReversal: (reversalId: string, takenPoints: string): Promise<string[]> =>
      completeAccrualReversal(deps.db, { reversalId, takenPoints: BigInt(takenPoints) }),

    endAccrualReversal: (
      reversalId: string,
      status: 'failed' | 'needs_attention',
      code: string,
      detail: string,
    ): Promise<string[]> => endAccrualReversal(deps.db, { reversalId, status, code, detail }),
  };
}

export type AccrualActivities = ReturnType<typeof createAccrualActivities>;
