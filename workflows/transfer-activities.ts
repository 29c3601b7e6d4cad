// The transfer's activities: each step at a partner under its idempotency key `<transferId>:<step>`,
// and the bookkeeping in our database. A refusal is a non-retryable ApplicationFailure whose type is
// the partner's code; a fault is thrown as is, and Temporal retries it with the same key.
import { ApplicationFailure } from '@temporalio/common';
import type { PartnerAnswer, StepState } from '../adapters/loyalty-adapter.ts';
import type { AdapterResolver } from '../adapters/resolver.ts';
import { creditProfile, lifeFloor } from '../domain/transfer-expiry-profiles.ts';
import { type FinishedTransfer, recordTransferFinished } from '../runtime/metrics.ts';
import type { Db } from '../store/connection.ts';
import type { Transfer } from '../store/database.ts';
import {
  findTransferExpiryProfile,
  findTransferMinRemainingLife,
  saveTransferExpiryProfile,
} from '../store/transfer-expiry-profiles.ts';
import {
  completeTransfer,
  failTransfer,
  findTransfer,
  flagTransferForFinance,
  recordTransferStep,
} from '../store/transfers.ts';

export type PartnerStep = 'reserve' | 'credit' | 'post' | 'void';

export function stepKey(transferId: string, step: PartnerStep): string {
  return `${transferId}:${step}`;
}

const plansMax = 10_000;

export interface TransferActivityDependencies {
  db: Db;
  adapters: AdapterResolver;
}

export function createTransferActivities(deps: TransferActivityDependencies) {
  // The fields a step needs never change once the transfer exists, so each worker reads them once.
  const plans = new Map<string, Transfer>();
  async function load(transferId: string): Promise<Transfer> {
    const cached = plans.get(transferId);
    if (cached) return cached;
    const transfer = await findTransfer(deps.db, transferId);
    if (!transfer)
      throw ApplicationFailure.nonRetryable(`transfer ${transferId} does not exist`, 'transfer_missing');
    if (plans.size >= plansMax) plans.delete(plans.keys().next().value as string);
    plans.set(transferId, transfer);
    return transfer;
  }

  async function recordAnswer(
    transfer: Transfer,
    step: PartnerStep,
    answer: PartnerAnswer,
    status?: Transfer['status'],
  ): Promise<void> {
    if (answer.outcome === 'refused') {
      await recordTransferStep(deps.db, {
        transferId: transfer.id,
        step,
        outcome: 'refused',
        detail: `${answer.code}: ${answer.detail}`,
      });
      throw ApplicationFailure.nonRetryable(answer.detail || answer.code, answer.code);
    }
    await recordTransferStep(deps.db, {
      transferId: transfer.id,
      step,
      outcome: 'done',
      ...(status ? { status } : {}),
    });
  }

  /** Records the end in the metrics once the end is written (a retried write may count twice). */
  async function counted<T>(transferId: string, outcome: FinishedTransfer['outcome'], end: () => Promise<T>) {
    const result = await end();
    const transfer = await load(transferId);
    recordTransferFinished({
      outcome,
      sourceProgramId: transfer.source_program_id,
      targetProgramId: transfer.target_program_id,
      debitPoints: transfer.debit_points,
      creditPoints: transfer.credit_points,
    });
    return result;
  }

  return {
    async reserveAtSource(transferId: string, expiresAtIso: string): Promise<void> {
      const transfer = await load(transferId);
      const adapter = await deps.adapters.forProgram(transfer.source_program_id);
      const answer = await adapter.reserve({
        key: stepKey(transferId, 'reserve'),
        accountRef: transfer.source_account_ref,
        points: transfer.debit_points,
        expiresAt: new Date(expiresAtIso),
        reason: `alliance transfer ${transferId} out`,
      });
      // Kept before the step is recorded, so a credit that follows always finds it.
      if (answer.outcome === 'done' && answer.expiryProfile && answer.expiryProfile.length > 0)
        await saveTransferExpiryProfile(deps.db, transferId, answer.expiryProfile);
      await recordAnswer(transfer, 'reserve', answer, 'reserved');
    },

    async creditAtTarget(transferId: string): Promise<void> {
      const transfer = await load(transferId);
      const adapter = await deps.adapters.forProgram(transfer.target_program_id);
      // Points about to expire at the source are not made fresh here: the credit carries their expiry,
      // lifted to the minimum remaining life the agreement grants, if any (domain/transfer-expiry-profiles.ts).
      const paidWith = await findTransferExpiryProfile(deps.db, transferId);
      const floor = paidWith
        ? lifeFloor(transfer.created_at, await findTransferMinRemainingLife(deps.db, transferId))
        : null;
      const answer = await adapter.credit({
        key: stepKey(transferId, 'credit'),
        accountRef: transfer.target_account_ref,
        points: transfer.credit_points,
        reason: `alliance transfer ${transferId} in`,
        ...(paidWith ? { expiryProfile: creditProfile(paidWith, transfer.credit_points, floor) } : {}),
      });
      await recordAnswer(transfer, 'credit', answer, 'credited');
    },

    async postAtSource(transferId: string): Promise<void> {
      const transfer = await load(transferId);
      const adapter = await deps.adapters.forProgram(transfer.source_program_id);
      const answer = await adapter.post({
        key: stepKey(transferId, 'post'),
        reservationKey: stepKey(transferId, 'reserve'),
      });
      await recordAnswer(transfer, 'post', answer);
    },

    async voidAtSource(transferId: string): Promise<void> {
      const transfer = await load(transferId);
      const adapter = await deps.adapters.forProgram(transfer.source_program_id);
      const answer = await adapter.void({
        key: stepKey(transferId, 'void'),
        reservationKey: stepKey(transferId, 'reserve'),
      });
      await recordAnswer(transfer, 'void', answer);
    },

    /** Asks the partner what became of a step that got no answer; the partner fences an unknown key. */
    async askStepOutcome(transferId: string, step: 'reserve' | 'credit'): Promise<StepState> {
      const transfer = await load(transferId);
      const programId = step === 'reserve' ? transfer.source_program_id : transfer.target_program_id;
      const state = await (await deps.adapters.forProgram(programId)).outcome(stepKey(transferId, step));
      await recordTransferStep(deps.db, {
        transferId,
        step: `${step}_outcome_asked`,
        outcome: state,
        ...(state === 'succeeded' ? { status: step === 'reserve' ? 'reserved' : 'credited' } : {}),
      });
      return state;
    },

    completeTransfer: (transferId: string): Promise<string[]> =>
      counted(transferId, 'completed', () => completeTransfer(deps.db, transferId)),

    failTransfer: (transferId: string, code: string, detail: string): Promise<string[]> =>
      counted(transferId, 'failed', () => failTransfer(deps.db, { transferId, code, detail })),

    flagForFinance: (transferId: string, reason: string): Promise<string[]> =>
      counted(transferId, 'needs_attention', () => flagTransferForFinance(deps.db, transferId, reason)),
  };
}

export type TransferActivities = ReturnType<typeof createTransferActivities>;
