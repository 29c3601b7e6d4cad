// A draw's activities: when it closes, and the close itself (a retryable failure while it is not
// due or entries' points are still moving, so Temporal waits with backoff rather than the workflow's
// history growing).
import { ApplicationFailure } from '@temporalio/common';
import { generateCouponCode } from '../domain/coupon-code.ts';
import type { ServiceContext } from '../services/context.ts';
import { closeDraw, drawClosesAt } from '../services/draws.ts';

export interface DrawActivityDependencies {
  context: ServiceContext;
}

export function createDrawActivities(deps: DrawActivityDependencies) {
  return {
    async drawClosesAt(itemId: string): Promise<string | null> {
      return (await drawClosesAt(deps.context, itemId))?.toISOString() ?? null;
    },

    /** The webhook deliveries to send once the draw is closed. */
    async closeDrawWhenEntriesEnd(itemId: string): Promise<string[]> {
      const outcome = await closeDraw(deps.context, {
        itemId,
        generateCode: generateCouponCode,
        now: new Date(),
      });
      if (outcome.state === 'closed') return outcome.deliveryIds;
      throw ApplicationFailure.retryable(
        outcome.state === 'not_due'
          ? `the draw closes at ${outcome.closesAt.toISOString()}`
          : `${outcome.entriesInFlight} entries are still moving points`,
        outcome.state,
      );
    },
  };
}

export type DrawActivities = ReturnType<typeof createDrawActivities>;
