// The coupon expiry's I/O: expire issued coupons past their end in batches (each batch one
// statement, so a run that dies half-way leaves whole batches done and the next run does the
// rest), then start the refund of every coupon whose refund is due, including any a run that died
// left unstarted.
import { heartbeat } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Db } from '../store/connection.ts';
import { expireCouponBatch, listRefundDueCouponIds } from '../store/coupon-expiry.ts';
import { startCouponRefund } from './coupon-expiry-client.ts';
import type { TransferTimeouts } from './transfer.workflow.ts';

export interface CouponExpiryActivityDependencies {
  db: Db;
  client: Client;
  taskQueue: string;
}

export interface CouponExpiryCount {
  expired: number;
  refundsDue: number;
}

const pageSize = 200;

export function createCouponExpiryActivities(deps: CouponExpiryActivityDependencies) {
  return {
    async expireDueCoupons(input: { batchSize: number }): Promise<CouponExpiryCount> {
      const now = new Date();
      const count: CouponExpiryCount = { expired: 0, refundsDue: 0 };
      while (true) {
        const batch = await expireCouponBatch(deps.db, { now, limit: input.batchSize });
        count.expired += batch.expired;
        count.refundsDue += batch.refundsDue;
        heartbeat(count);
        if (batch.expired < input.batchSize) return count;
      }
    },

    /** Starts the refund of every coupon whose refund is due; returns the coupons it started. */
    async startDueCouponRefunds(input: { timeouts: TransferTimeouts }): Promise<string[]> {
      const started: string[] = [];
      let afterId: string | null = null;
      while (true) {
        const ids = await listRefundDueCouponIds(deps.db, { afterId, limit: pageSize });
        for (const couponId of ids) {
          if (await startCouponRefund({ ...deps, timeouts: input.timeouts }, couponId))
            started.push(couponId);
        }
        heartbeat(started.length);
        if (ids.length < pageSize) return started;
        afterId = ids[ids.length - 1] ?? null;
      }
    },
  };
}

export type CouponExpiryActivities = ReturnType<typeof createCouponExpiryActivities>;
