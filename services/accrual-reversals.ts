// The refund use case: the merchant refunds an accrued purchase, wholly or in part (by the purchase
// amount refunded), and the member's points for it are taken back. The refund's figures are fixed
// under a lock on the accrual's row, so concurrent refunds are counted one after another and never
// add up past the purchase; its creation and the request's Idempotency-Key commit together. Then its
// workflow takes the points back (or, when Temporal is unreachable, the stranded sweep starts it).
import { planRefund } from '../domain/accrual.ts';
import { ProblemError } from '../domain/errors.ts';
import type { Logger } from '../runtime/logger.ts';
import { countedRefunds, findAccrualReversal, insertAccrualReversal } from '../store/accrual-reversals.ts';
import { lockAccrual } from '../store/accruals.ts';
import type { AccrualReversal } from '../store/database.ts';
import { bindIdempotencyEffect } from '../store/idempotency.ts';
import { newId } from '../store/ids.ts';
import { type AccrualStarter, finishedStatuses } from './accruals.ts';
import type { ServiceContext } from './context.ts';

export interface AccrualReversalDependencies extends ServiceContext {
  startAccrualReversal: AccrualStarter;
  logger: Logger;
}

class KeyAlreadyBound extends Error {
  readonly reversalId: string;
  constructor(reversalId: string) {
    super(`the Idempotency-Key already created accrual reversal ${reversalId}`);
    this.reversalId = reversalId;
  }
}

interface RefundInput {
  merchantPartnerId: string;
  accrualId: string;
  refundAmountMinor: bigint | null;
  reason: string;
}

async function createRefund(
  context: ServiceContext,
  input: RefundInput & { idempotency: { principal: string; key: string } },
): Promise<AccrualReversal> {
  return context.db.transaction().execute(async (trx) => {
    const accrual = await lockAccrual(trx, input.accrualId);
    const program = accrual && (await context.programs.find(context.db, accrual.program_id));
    if (
      !accrual ||
      (accrual.merchant_partner_id !== input.merchantPartnerId &&
        program?.partner_id !== input.merchantPartnerId)
    ) {
      throw new ProblemError('not_found', `Accrual ${input.accrualId} does not exist.`);
    }
    if (accrual.merchant_partner_id !== input.merchantPartnerId) {
      // The programme's owner may read the accrual but not refund the merchant's purchase.
      throw new ProblemError('forbidden', 'Only the merchant that reported the purchase refunds it.');
    }
    if (accrual.status !== 'completed') {
      throw new ProblemError(
        'accrual_not_completed',
        `Accrual ${accrual.id} is ${accrual.status}; only a completed accrual can be refunded.`,
      );
    }
    const plan = planRefund({
      purchaseAmountMinor: accrual.purchase_amount_minor,
      points: accrual.points,
      earlier: await countedRefunds(trx, accrual.id),
      refundAmountMinor: input.refundAmountMinor,
    });
    const reversalId = newId('arv');
    const boundTo = await bindIdempotencyEffect(trx, { ...input.idempotency, effectId: reversalId });
    if (boundTo !== reversalId) throw new KeyAlreadyBound(boundTo);
    return insertAccrualReversal(trx, { id: reversalId, accrualId: accrual.id, reason: input.reason, plan });
  });
}

/** Creates the refund (or finds the one this key created) and starts its workflow. */
export async function requestAccrualReversal(
  deps: AccrualReversalDependencies,
  input: RefundInput & { idempotency: { principal: string; key: string; effectId: string | null } },
): Promise<{ reversal: AccrualReversal; finished: boolean }> {
  let reversal = input.idempotency.effectId
    ? await findAccrualReversal(deps.db, input.idempotency.effectId)
    : undefined;
  if (!reversal) {
    try {
      reversal = await createRefund(deps, input);
    } catch (error) {
      if (!(error instanceof KeyAlreadyBound)) throw error;
      reversal = await findAccrualReversal(deps.db, error.reversalId);
      if (!reversal) throw new Error(`accrual reversal ${error.reversalId} bound to a key does not exist`);
    }
  }
  try {
    await deps.startAccrualReversal(reversal.id);
  } catch (error) {
    deps.logger.warn(
      { err: error, reversalId: reversal.id },
      'could not start the accrual reversal workflow now; the stranded sweep will start it',
    );
  }
  const current = await findAccrualReversal(deps.db, reversal.id);
  if (!current) throw new Error(`accrual reversal ${reversal.id} vanished after it was created`);
  return { reversal: current, finished: finishedStatuses.includes(current.status) };
}
