// The catalog order's activities: each step at the member's programme under the key
// `<orderId>:<step>`, and the bookkeeping in our database. A refusal is a non-retryable
// ApplicationFailure whose type is the partner's code; a fault is thrown as is and retried.
import { ApplicationFailure } from '@temporalio/common';
import type { PartnerAnswer, StepState } from '../adapters/loyalty-adapter.ts';
import type { AdapterResolver } from '../adapters/resolver.ts';
import { requireCouponStillValid } from '../domain/catalog.ts';
import { generateCouponCode } from '../domain/coupon-code.ts';
import { ProblemError } from '../domain/errors.ts';
import { findItem } from '../store/catalog.ts';
import { completeOrder, failOrder, findOrder, recordOrderStep } from '../store/catalog-orders.ts';
import type { Db } from '../store/connection.ts';
import type { CatalogOrder } from '../store/database.ts';
import { keepReservedExpiryProfile } from '../store/reserved-expiry-profiles.ts';

export interface CatalogOrderActivityDependencies {
  db: Db;
  adapters: AdapterResolver;
}

export function createCatalogOrderActivities(deps: CatalogOrderActivityDependencies) {
  async function load(orderId: string): Promise<CatalogOrder> {
    const order = await findOrder(deps.db, orderId);
    if (!order) throw ApplicationFailure.nonRetryable(`order ${orderId} does not exist`, 'order_missing');
    return order;
  }

  /** Records a step's answer; a refusal with its code and detail. */
  function record(order: CatalogOrder, step: string, answer: PartnerAnswer): Promise<void> {
    return recordOrderStep(deps.db, {
      orderId: order.id,
      step,
      outcome: answer.outcome === 'refused' ? 'refused' : 'done',
      detail: answer.outcome === 'refused' ? `${answer.code}: ${answer.detail}` : null,
    });
  }

  /** Records the answer, and ends the step for good when it is a refusal. */
  async function settle(order: CatalogOrder, step: string, answer: PartnerAnswer): Promise<void> {
    await record(order, step, answer);
    if (answer.outcome === 'refused')
      throw ApplicationFailure.nonRetryable(answer.detail || answer.code, answer.code);
  }

  return {
    async reserveForOrder(orderId: string, expiresAtIso: string): Promise<void> {
      const order = await load(orderId);
      const adapter = await deps.adapters.forProgram(order.program_id);
      // A coupon whose fixed end passed since the order was placed would be issued dead: nothing more
      // is taken for it. But a run before this one may have reserved and posted already (the member
      // paid, the run stopped before it completed the order): the post's key is asked about, which
      // fences it if it never arrived. Posted: the order goes on under its keys and completes. Not:
      // refused here, and the post can never be applied later; a reservation the run before made is
      // voided, so that the member's points are free now rather than when it runs out.
      const bought = await findItem(deps.db, order.item_id, order.item_version);
      try {
        requireCouponStillValid(bought?.version.details, new Date());
      } catch (error) {
        if (!(error instanceof ProblemError)) throw error;
        const post = await adapter.outcome(`${order.id}:post`);
        await recordOrderStep(deps.db, { orderId: order.id, step: 'post_outcome_asked', outcome: post });
        if (post !== 'succeeded') {
          const reserved = await adapter.outcome(`${order.id}:reserve`);
          await recordOrderStep(deps.db, {
            orderId: order.id,
            step: 'reserve_outcome_asked',
            outcome: reserved,
          });
          // A refused void (nothing left to release) is recorded, and the order is refused below all the same.
          if (reserved === 'succeeded')
            await record(
              order,
              'void',
              await adapter.void({ key: `${order.id}:void`, reservationKey: `${order.id}:reserve` }),
            );
          // settle records the refusal and throws it: the reservation below is never asked for.
          return settle(order, 'reserve', {
            outcome: 'refused',
            code: 'coupon_expired',
            detail: error.detail,
          });
        }
      }
      const answer = await adapter.reserve({
        key: `${order.id}:reserve`,
        accountRef: order.account_ref,
        points: order.debit_points,
        expiresAt: new Date(expiresAtIso),
        reason: `alliance catalog order ${order.id}`,
      });
      // Kept before the step is recorded: a coupon refunded when it expires unused gives back these.
      if (answer.outcome === 'done')
        await keepReservedExpiryProfile(
          deps.db,
          { table: 'catalog_orders', id: order.id },
          answer.expiryProfile,
        );
      await settle(order, 'reserve', answer);
    },

    async postForOrder(orderId: string): Promise<void> {
      const order = await load(orderId);
      const adapter = await deps.adapters.forProgram(order.program_id);
      await settle(
        order,
        'post',
        await adapter.post({ key: `${order.id}:post`, reservationKey: `${order.id}:reserve` }),
      );
    },

    async voidForOrder(orderId: string): Promise<void> {
      const order = await load(orderId);
      const adapter = await deps.adapters.forProgram(order.program_id);
      await settle(
        order,
        'void',
        await adapter.void({ key: `${order.id}:void`, reservationKey: `${order.id}:reserve` }),
      );
    },

    /** Asks what became of the reservation (or the post) that got no answer; the partner fences an unknown key. */
    async askOrderStepOutcome(orderId: string, step: 'reserve' | 'post' = 'reserve'): Promise<StepState> {
      const order = await load(orderId);
      const state = await (await deps.adapters.forProgram(order.program_id)).outcome(`${order.id}:${step}`);
      await recordOrderStep(deps.db, { orderId: order.id, step: `${step}_outcome_asked`, outcome: state });
      return state;
    },

    completeCatalogOrder: (orderId: string): Promise<string[]> =>
      completeOrder(deps.db, { orderId, generateCode: generateCouponCode, now: new Date() }),

    failCatalogOrder: (
      orderId: string,
      code: string,
      detail: string,
      status: 'failed' | 'needs_attention',
    ): Promise<string[]> => failOrder(deps.db, { orderId, code, detail, status }),
  };
}

export type CatalogOrderActivities = ReturnType<typeof createCatalogOrderActivities>;
