// The reversal's activities: each step at a partner under its idempotency key `<reversalId>:<step>`,
// and the bookkeeping in our database. A refusal is a non-retryable ApplicationFailure whose type is
// the partner's code; a fault is thrown as is, and Temporal retries it with the same key.
import { ApplicationFailure } from '@temporalio/common';
import type { PartnerAnswer, StepState } from '../adapters/loyalty-adapter.ts';
import type { AdapterResolver } from '../adapters/resolver.ts';
import { scaleProfile } from '../domain/point-lots.ts';
import { reversalResult } from '../domain/reversal.ts';
import type { Db } from '../store/connection.ts';
import type { Transfer, TransferReversal } from '../store/database.ts';
import {
  completeReversal,
  failReversal,
  findReversal,
  flagReversalForFinance,
  planOf,
  recordReversalTaken,
} from '../store/reversals.ts';
import { findTransferExpiryProfile } from '../store/transfer-expiry-profiles.ts';
import { findTransfer, recordTransferStep } from '../store/transfers.ts';
import { stepKey } from './transfer-activities.ts';

export type ReversalStep = 'reverse' | 'credit' | 'restore';

export interface ReversalActivityDependencies {
  db: Db;
  adapters: AdapterResolver;
}

export function createReversalActivities(deps: ReversalActivityDependencies) {
  async function load(reversalId: string): Promise<{ reversal: TransferReversal; transfer: Transfer }> {
    const reversal = await findReversal(deps.db, reversalId);
    const transfer = reversal && (await findTransfer(deps.db, reversal.transfer_id));
    if (!reversal || !transfer) {
      throw ApplicationFailure.nonRetryable(`reversal ${reversalId} does not exist`, 'reversal_missing');
    }
    return { reversal, transfer };
  }

  const record = (reversal: TransferReversal, step: string, outcome: string, detail: string | null = null) =>
    recordTransferStep(deps.db, {
      transferId: reversal.transfer_id,
      step: `${reversal.id}:${step}`,
      outcome,
      detail,
    });

  async function settle(
    reversal: TransferReversal,
    step: ReversalStep,
    answer: PartnerAnswer,
  ): Promise<void> {
    if (answer.outcome === 'refused') {
      await record(reversal, step, 'refused', `${answer.code}: ${answer.detail}`);
      throw ApplicationFailure.nonRetryable(answer.detail || answer.code, answer.code);
    }
    await record(reversal, step, 'done');
  }

  /** Takes the points back at the target; returns how many source points the member gets back. */
  async function takeBackAtTarget(reversalId: string): Promise<string> {
    const { reversal, transfer } = await load(reversalId);
    const adapter = await deps.adapters.forProgram(transfer.target_program_id);
    const answer = await adapter.reverseCredit({
      key: `${reversal.id}:reverse`,
      creditKey: stepKey(transfer.id, 'credit'),
      points: reversal.target_points,
      reason: `alliance reversal ${reversal.id} of transfer ${transfer.id}`,
    });
    // insufficient_points: the member has none of the points left, so the shortfall is all of it.
    if (answer.outcome === 'refused' && answer.code !== 'insufficient_points')
      await settle(reversal, 'reverse', answer);
    const taken = answer.outcome === 'done' ? answer.reversedPoints : 0n;
    await record(
      reversal,
      'reverse',
      taken > 0n ? 'done' : 'nothing_left',
      `took back ${taken} of ${reversal.target_points}`,
    );
    const recorded = await recordReversalTaken(deps.db, reversal.id, taken);
    const takenPoints = recorded.taken_target_points ?? taken;
    return String(
      reversalResult(planOf(recorded), takenPoints, recorded.shortfall_payer).returnedSourcePoints,
    );
  }

  return {
    takeBackAtTarget,

    async returnAtSource(reversalId: string): Promise<void> {
      const { reversal, transfer } = await load(reversalId);
      if (reversal.taken_target_points === null)
        throw new Error(`reversal ${reversalId} returns before its take`);
      const { returnedSourcePoints } = reversalResult(
        planOf(reversal),
        reversal.taken_target_points,
        reversal.shortfall_payer,
      );
      const adapter = await deps.adapters.forProgram(transfer.source_program_id);
      // The points come back no fresher than they left the source: a share of what paid for them.
      const paidWith =
        returnedSourcePoints > 0n ? await findTransferExpiryProfile(deps.db, transfer.id) : undefined;
      const answer = await adapter.credit({
        key: `${reversal.id}:credit`,
        accountRef: transfer.source_account_ref,
        points: returnedSourcePoints,
        reason: `alliance reversal ${reversal.id} of transfer ${transfer.id}`,
        ...(paidWith ? { expiryProfile: scaleProfile(paidWith, returnedSourcePoints) } : {}),
      });
      await settle(reversal, 'credit', answer);
    },

    /** Puts back at the target what was taken, when the source could not take it. */
    async restoreAtTarget(reversalId: string): Promise<void> {
      const { reversal, transfer } = await load(reversalId);
      const taken = reversal.taken_target_points ?? 0n;
      if (taken === 0n) return;
      const adapter = await deps.adapters.forProgram(transfer.target_program_id);
      const answer = await adapter.credit({
        key: `${reversal.id}:restore`,
        accountRef: transfer.target_account_ref,
        points: taken,
        reason: `alliance reversal ${reversal.id} undone`,
      });
      await settle(reversal, 'restore', answer);
    },

    /** Asks the partner what became of a step that got no answer; the partner fences an unknown key. */
    async askReversalStepOutcome(reversalId: string, step: 'reverse' | 'credit'): Promise<StepState> {
      const { reversal, transfer } = await load(reversalId);
      const programId = step === 'reverse' ? transfer.target_program_id : transfer.source_program_id;
      const state = await (await deps.adapters.forProgram(programId)).outcome(`${reversal.id}:${step}`);
      await record(reversal, `${step}_outcome_asked`, state);
      return state;
    },

    completeReversal: (reversalId: string): Promise<string[]> => completeReversal(deps.db, reversalId),

    failReversal: (reversalId: string, code: string, detail: string): Promise<string[]> =>
      failReversal(deps.db, { reversalId, code, detail }),

    flagReversalForFinance: (reversalId: string, reason: string): Promise<string[]> =>
      flagReversalForFinance(deps.db, { reversalId, reason }),
  };
}

export type ReversalActivities = ReturnType<typeof createReversalActivities>;
