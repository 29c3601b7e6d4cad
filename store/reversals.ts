// Reversals as stored. A reversal is created under a lock on its transfer's row, so concurrent
// reversals of one transfer are counted one after another and can never add up past it. Its steps
// are recorded on the transfer's timeline (`<reversalId>:reverse`, ...). Its end writes the opposite
// obligation, the finance flag of a shortfall, the status and the webhooks in one transaction.
import type { Kysely, Transaction } from 'kysely';
import {
  countedFigures,
  type ReversalFigures,
  type ReversalResult,
  reversalResult,
} from '../domain/reversal.ts';
import type { Database, ReversalStatus, ShortfallPayer, Transfer, TransferReversal } from './database.ts';
import { insertObligations } from './settlement.ts';
import { inTransaction } from './transaction.ts';
import { enqueueReversalWebhooks, pendingDeliveriesOf, type ReversalEventType } from './webhooks.ts';

/** A completed transfer's figures and parties, its row locked until the transaction ends. */
export interface ReversibleTransfer {
  transfer: Transfer;
  figures: ReversalFigures;
  currency: string;
  sourcePartnerId: string;
  targetPartnerId: string;
  shortfallPayer: ShortfallPayer;
}

export async function lockReversibleTransfer(
  trx: Transaction<Database>,
  transferId: string,
): Promise<ReversibleTransfer | undefined> {
  const transfer = await trx
    .selectFrom('transfers')
    .selectAll()
    .where('id', '=', transferId)
    .forUpdate()
    .executeTakeFirst();
  if (!transfer) return undefined;
  const terms = await trx
    .selectFrom('quotes as q')
    .innerJoin('rate_agreement_versions as v', (join) =>
      join.onRef('v.agreement_id', '=', 'q.agreement_id').onRef('v.version', '=', 'q.agreement_version'),
    )
    .innerJoin('programs as source', 'source.id', 'q.source_program_id')
    .innerJoin('programs as target', 'target.id', 'q.target_program_id')
    .select([
      'q.settlement_amount_minor',
      'q.currency',
      'v.reversal_shortfall_payer',
      'source.partner_id as sourcePartnerId',
      'target.partner_id as targetPartnerId',
    ])
    .where('q.id', '=', transfer.quote_id)
    .executeTakeFirstOrThrow();
  return {
    transfer,
    figures: {
      sourcePoints: transfer.debit_points,
      targetPoints: transfer.credit_points,
      settlementAmountMinor: terms.settlement_amount_minor,
    },
    currency: terms.currency,
    sourcePartnerId: terms.sourcePartnerId,
    targetPartnerId: terms.targetPartnerId,
    shortfallPayer: terms.reversal_shortfall_payer,
  };
}

export function planOf(reversal: TransferReversal): ReversalFigures {
  return {
    sourcePoints: reversal.source_points,
    targetPoints: reversal.target_points,
    settlementAmountMinor: reversal.settlement_amount_minor,
  };
}

/** What the transfer's reversals so far count against it (read under the transfer's lock). */
export async function countedReversals(
  trx: Transaction<Database>,
  transferId: string,
): Promise<ReversalFigures> {
  const reversals = await listReversals(trx, transferId);
  return reversals
    .map((reversal) =>
      countedFigures({
        status: reversal.status,
        plan: planOf(reversal),
        takenTargetPoints: reversal.taken_target_points,
        result:
          reversal.returned_source_points === null || reversal.reversed_amount_minor === null
            ? null
            : {
                returnedSourcePoints: reversal.returned_source_points,
                reversedAmountMinor: reversal.reversed_amount_minor,
              },
      }),
    )
    .reduce(
      (sum, figures) => ({
        sourcePoints: sum.sourcePoints + figures.sourcePoints,
        targetPoints: sum.targetPoints + figures.targetPoints,
        settlementAmountMinor: sum.settlementAmountMinor + figures.settlementAmountMinor,
      }),
      { sourcePoints: 0n, targetPoints: 0n, settlementAmountMinor: 0n },
    );
}

export async function insertReversal(
  trx: Transaction<Database>,
  values: {
    id: string;
    transferId: string;
    requestedBy: string;
    reason: string;
    plan: ReversalFigures;
    currency: string;
    shortfallPayer: ShortfallPayer;
  },
): Promise<TransferReversal> {
  const reversal = await trx
    .insertInto('transfer_reversals')
    .values({
      id: values.id,
      transfer_id: values.transferId,
      requested_by: values.requestedBy,
      reason: values.reason,
      source_points: values.plan.sourcePoints,
      target_points: values.plan.targetPoints,
      settlement_amount_minor: values.plan.settlementAmountMinor,
      currency: values.currency,
      shortfall_payer: values.shortfallPayer,
      status: 'pending',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('transfer_steps')
    .values({
      transfer_id: values.transferId,
      step: `${values.id}:requested`,
      outcome: 'done',
      detail: `${values.requestedBy} asked to reverse ${values.plan.sourcePoints} source points: ${values.reason}`,
    })
    .execute();
  return reversal;
}

export async function findReversal(
  db: Kysely<Database>,
  reversalId: string,
): Promise<TransferReversal | undefined> {
  return db.selectFrom('transfer_reversals').selectAll().where('id', '=', reversalId).executeTakeFirst();
}

export async function listReversals(db: Kysely<Database>, transferId: string): Promise<TransferReversal[]> {
  return db
    .selectFrom('transfer_reversals')
    .selectAll()
    .where('transfer_id', '=', transferId)
    .orderBy('id')
    .execute();
}

/**
 * Reversals accepted but possibly never started (the process died, or Temporal was down), or whose
 * run stopped before it ended them, before or after the target's take-back (`taken`), paged by id.
 */
export async function listStrandedReversalIds(
  db: Kysely<Database>,
  input: { untouchedSince: Date; afterId: string | null; limit: number },
): Promise<string[]> {
  let query = db
    .selectFrom('transfer_reversals')
    .select('id')
    .where('status', 'in', ['pending', 'taken'])
    .where('updated_at', '<', input.untouchedSince)
    .orderBy('id')
    .limit(input.limit);
  if (input.afterId) query = query.where('id', '>', input.afterId);
  return (await query.execute()).map((row) => row.id);
}

/**
 * Records what the target took back, and so what the member gets back and what is owed (fixed by
 * the take); a repeat keeps the first figures.
 */
export async function recordReversalTaken(
  db: Kysely<Database>,
  reversalId: string,
  takenTargetPoints: bigint,
): Promise<TransferReversal> {
  const reversal = await findReversal(db, reversalId);
  if (!reversal) throw new Error(`reversal ${reversalId} does not exist`);
  const result = reversalResult(planOf(reversal), takenTargetPoints, reversal.shortfall_payer);
  await db
    .updateTable('transfer_reversals')
    .set({
      status: 'taken',
      taken_target_points: takenTargetPoints,
      returned_source_points: result.returnedSourcePoints,
      reversed_amount_minor: result.reversedAmountMinor,
      updated_at: new Date(),
    })
    .where('id', '=', reversalId)
    .where('status', '=', 'pending')
    .execute();
  return db
    .selectFrom('transfer_reversals')
    .selectAll()
    .where('id', '=', reversalId)
    .executeTakeFirstOrThrow();
}

async function lockReversal(trx: Transaction<Database>, reversalId: string): Promise<TransferReversal> {
  return trx
    .selectFrom('transfer_reversals')
    .selectAll()
    .where('id', '=', reversalId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

async function transferOf(trx: Transaction<Database>, reversal: TransferReversal): Promise<Transfer> {
  return trx
    .selectFrom('transfers')
    .selectAll()
    .where('id', '=', reversal.transfer_id)
    .executeTakeFirstOrThrow();
}

const ended: readonly ReversalStatus[] = ['completed', 'failed', 'needs_attention'];

const endEvents: Record<string, ReversalEventType> = {
  completed: 'transfer.reversed',
  failed: 'transfer.reversal_failed',
  needs_attention: 'transfer.reversal_needs_attention',
};

/**
 * What a repeat of an ending hands on (its worker died after the commit, or its answer came after its
 * time ran out): the ending's deliveries still waiting, which would otherwise wait for no one.
 */
function stillPendingDeliveries(trx: Transaction<Database>, reversal: TransferReversal): Promise<string[]> {
  const type = endEvents[reversal.status];
  return type ? pendingDeliveriesOf(trx, `${reversal.id}:${type}`, type) : Promise.resolve([]);
}

async function end(
  trx: Transaction<Database>,
  reversal: TransferReversal,
  values: {
    status: ReversalStatus;
    result?: ReversalResult;
    failure?: { code: string; detail: string };
    step: { outcome: string; detail: string };
  },
): Promise<TransferReversal> {
  const updated = await trx
    .updateTable('transfer_reversals')
    .set({
      status: values.status,
      // Without a result (failed, or left for finance) nothing was returned and nothing is owed.
      returned_source_points: values.result?.returnedSourcePoints ?? null,
      reversed_amount_minor: values.result?.reversedAmountMinor ?? null,
      failure_code: values.failure?.code ?? null,
      failure_detail: values.failure?.detail ?? null,
      updated_at: new Date(),
    })
    .where('id', '=', reversal.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('transfer_steps')
    .values({ transfer_id: reversal.transfer_id, step: `${reversal.id}:${values.status}`, ...values.step })
    .onConflict((conflict) => conflict.columns(['transfer_id', 'step', 'outcome']).doNothing())
    .execute();
  return updated;
}

async function flagForFinance(
  trx: Transaction<Database>,
  reversal: TransferReversal,
  reason: string,
): Promise<void> {
  await trx
    .insertInto('finance_flags')
    .values({ transfer_id: reversal.transfer_id, reversal_id: reversal.id, reason })
    .onConflict((conflict) => conflict.columns(['transfer_id', 'reason']).doNothing())
    .execute();
}

/**
 * Completes the reversal once the target has answered (and the source, if anything is returned): the
 * opposite obligation (the target partner owes the source partner what is reversed), a finance flag
 * naming who bears a shortfall, the status and the webhooks at once. Returns the webhook deliveries
 * to send; on a repeat, those still waiting.
 */
export async function completeReversal(db: Kysely<Database>, reversalId: string): Promise<string[]> {
  return inTransaction(db, async (trx) => {
    const reversal = await lockReversal(trx, reversalId);
    if (ended.includes(reversal.status)) return stillPendingDeliveries(trx, reversal);
    if (reversal.taken_target_points === null)
      throw new Error(`reversal ${reversalId} completes before its take`);
    const parties = await lockReversibleTransfer(trx, reversal.transfer_id);
    if (!parties) throw new Error(`reversal ${reversalId} names a transfer that does not exist`);
    const result = reversalResult(planOf(reversal), reversal.taken_target_points, reversal.shortfall_payer);
    if (result.reversedAmountMinor > 0n) {
      await insertObligations(trx, [
        {
          sourceId: reversal.id,
          transferId: reversal.transfer_id,
          kind: 'reversal',
          debtorPartnerId: parties.targetPartnerId,
          creditorPartnerId: parties.sourcePartnerId,
          amountMinor: result.reversedAmountMinor,
          currency: reversal.currency,
        },
      ]);
    }
    if (result.shortfallTargetPoints > 0n) {
      const bearer =
        reversal.shortfall_payer === 'source_partner' ? parties.sourcePartnerId : parties.targetPartnerId;
      await flagForFinance(
        trx,
        reversal,
        `reversal ${reversal.id}: the target member had ${reversal.taken_target_points} of the ${reversal.target_points} points asked back; the shortfall of ${result.shortfallTargetPoints} points is borne by ${bearer} (${reversal.shortfall_payer})`,
      );
    }
    const completed = await end(trx, reversal, {
      status: 'completed',
      result,
      step: {
        outcome: 'done',
        detail: `took back ${reversal.taken_target_points} of ${reversal.target_points}, returned ${result.returnedSourcePoints} of ${reversal.source_points}; reversed ${result.reversedAmountMinor} ${reversal.currency}`,
      },
    });
    return enqueueReversalWebhooks(trx, completed, parties.transfer, 'transfer.reversed');
  });
}

/** Ends the reversal with nothing changed at either partner (refused, or put back as it was). */
export async function failReversal(
  db: Kysely<Database>,
  input: { reversalId: string; code: string; detail: string },
): Promise<string[]> {
  return inTransaction(db, async (trx) => {
    const reversal = await lockReversal(trx, input.reversalId);
    if (ended.includes(reversal.status)) return stillPendingDeliveries(trx, reversal);
    const failed = await end(trx, reversal, {
      status: 'failed',
      failure: { code: input.code, detail: input.detail },
      step: { outcome: input.code, detail: input.detail },
    });
    return enqueueReversalWebhooks(trx, failed, await transferOf(trx, reversal), 'transfer.reversal_failed');
  });
}

/** Points may be where they should not: finance is told, and the reversal stays listed until resolved. */
export async function flagReversalForFinance(
  db: Kysely<Database>,
  input: { reversalId: string; reason: string },
): Promise<string[]> {
  return inTransaction(db, async (trx) => {
    const reversal = await lockReversal(trx, input.reversalId);
    if (ended.includes(reversal.status)) return stillPendingDeliveries(trx, reversal);
    // Named in the reason: two reversals of one transfer flagged for the same cause are two flags.
    await flagForFinance(trx, reversal, `reversal ${reversal.id}: ${input.reason}`);
    const flagged = await end(trx, reversal, {
      status: 'needs_attention',
      failure: { code: 'needs_attention', detail: input.reason },
      step: { outcome: 'flagged', detail: input.reason },
    });
    return enqueueReversalWebhooks(
      trx,
      flagged,
      await transferOf(trx, reversal),
      'transfer.reversal_needs_attention',
    );
  });
}
