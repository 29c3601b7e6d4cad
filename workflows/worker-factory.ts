// Builds a Temporal worker over real dependencies; the worker entry, `npm start` and tests use it.
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { type AdapterResolver, createAdapterResolver } from '../adapters/resolver.ts';
import type { Logger } from '../runtime/logger.ts';
import { timePartnerCall } from '../runtime/metrics.ts';
import { installTemporalRuntime } from '../runtime/temporal-runtime.ts';
import { createServiceContext } from '../services/context.ts';
import type { SigningKeyPair } from '../signing/keys.ts';
import { createAccrualActivities } from './accrual-activities.ts';
import { type ActivityDependencies, createActivities } from './activities.ts';
import { createCatalogOrderActivities } from './catalog-order-activities.ts';
import { createCatalogSyncActivities } from './catalog-sync-activities.ts';
import { createConservationMonitorActivities } from './conservation-monitor-activities.ts';
import { createCouponExpiryActivities } from './coupon-expiry-activities.ts';
import { createCouponRefundActivities } from './coupon-expiry-refund-activities.ts';
import { createDailyReconciliationActivities } from './daily-reconciliation-activities.ts';
import { createDrawActivities } from './draw-activities.ts';
import { createDrawClosingsActivities } from './draw-closings-activities.ts';
import { ensureDrawClosingsSchedule } from './draw-closings-schedule.ts';
import { createPointsExpiryActivities } from './points-expiry-activities.ts';
import { createPointsPaymentActivities } from './points-payment-activities.ts';
import { createPointsPaymentSweepActivities } from './points-payment-sweep-activities.ts';
import {
  ensurePointsPaymentSweepSchedule,
  type PointsPaymentSweep,
} from './points-payment-sweep-schedule.ts';
import { createReconciliationActivities } from './reconciliation-activities.ts';
import { createReversalActivities } from './reversal-activities.ts';
import {
  ensureCatalogSyncSchedule,
  ensureConservationMonitorSchedule,
  ensureCouponExpirySchedule,
  ensureDailyReconciliationSchedule,
  ensurePointsExpirySchedule,
  ensureSettlementSchedule,
  ensureStrandedTransfersSchedule,
  type SettlementCalendar,
} from './schedules.ts';
import { createSettlementActivities } from './settlement-activities.ts';
import { createStrandedTransferActivities } from './stranded-transfers-activities.ts';
import type { TransferTimeouts } from './transfer.workflow.ts';
import { createTransferActivities } from './transfer-activities.ts';
import { createWebhookActivities } from './webhook-activities.ts';
import { workerTelemetry } from './worker-telemetry.ts';
import { bundleWorkflowsOutOfProcess } from './workflow-bundle.ts';

export interface WorkerOptions extends ActivityDependencies {
  address: string;
  namespace: string;
  taskQueue: string;
  logger: Logger;
  gatewayIssuer: string;
  gatewayKey: SigningKeyPair;
  partnerCallTimeoutMs: number;
  /** Sweeps transfers accepted but never started, on a Schedule this worker makes; off when absent. */
  strandedTransfers?: StrandedTransferSweep;
  /** Closes settlement cycles on this calendar, on a Schedule this worker makes; off when absent. */
  settlement?: SettlementCalendar;
  /** Checks conservation on a Schedule this worker makes; off when absent. */
  conservation?: ConservationMonitor;
  /** How reconciliation matches, and (when daily is given) the Schedule of the day before's runs. */
  reconciliation?: ReconciliationPlan;
  /** Reads partners' catalog feeds every `everySeconds`, on a Schedule this worker makes; off when absent. */
  catalogSync?: { everySeconds: number };
  /** Expires coupons and starts the refunds due, on a Schedule this worker makes; off when absent. */
  couponExpiry?: CouponExpiry;
  /** Expires hosted points and sends expiry reminders, on a Schedule this worker makes; off when absent. */
  pointsExpiry?: PointsExpiry;
  /** Voids expired points-payment authorizations and starts stranded operations, on a Schedule; off when absent. */
  pointsPayments?: PointsPaymentSweep & { timeouts: TransferTimeouts };
}

export interface PointsExpiry {
  everySeconds: number;
  /** How many accounts one page reads; 500 when absent. */
  pageSize?: number;
  /** Attempts (across runs) before an expiry notice is given up; 20 when absent. */
  deliveryAttemptsMax?: number;
}

export interface CouponExpiry {
  everySeconds: number;
  /** How many coupons one statement expires; 500 when absent. */
  batchSize?: number;
  /** The refund sagas' time budgets. */
  timeouts: TransferTimeouts;
}

export interface ReconciliationPlan {
  toleranceMs: number;
  daily?: { hour: number; minute: number; timeZone: string };
}

export interface ConservationMonitor {
  everySeconds: number;
  reservationGraceSeconds: number;
  /** Where a failed check is sent, signed by the gateway; none: logged and recorded only. */
  operatorWebhookUrl: string | null;
}

export interface StrandedTransferSweep {
  timeouts: TransferTimeouts;
  everySeconds: number;
  untouchedSeconds: number;
}

export async function createWorker(
  options: WorkerOptions,
): Promise<{ worker: Worker; connection: NativeConnection; adapters: AdapterResolver }> {
  installTemporalRuntime(options.logger);
  const adapters = createAdapterResolver({
    db: options.db,
    gatewayIssuer: options.gatewayIssuer,
    gatewayKey: options.gatewayKey,
    partnerCallTimeoutMs: options.partnerCallTimeoutMs,
    timePartnerCall,
  });
  const connection = await NativeConnection.connect({ address: options.address });
  const client = new Client({ connection, namespace: options.namespace });
  const sweep = options.strandedTransfers;
  // Metrics of every workflow and activity; Temporal's tracing interceptors when tracing is on. The
  // workflow interceptors go into the bundle, which webpack makes in a child process.
  const { interceptors, sinks } = workerTelemetry();
  const { workflowModules = [], ...workerInterceptors } = interceptors;
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: await bundleWorkflowsOutOfProcess(workflowModules),
    interceptors: workerInterceptors,
    sinks,
    activities: {
      ...createActivities({ db: options.db }),
      ...createTransferActivities({ db: options.db, adapters }),
      ...createReversalActivities({ db: options.db, adapters }),
      ...createCatalogOrderActivities({ db: options.db, adapters }),
      ...createAccrualActivities({ db: options.db, adapters }),
      ...createPointsPaymentActivities({ db: options.db, adapters }),
      ...(options.pointsPayments
        ? createPointsPaymentSweepActivities({
            db: options.db,
            client,
            taskQueue: options.taskQueue,
            timeouts: options.pointsPayments.timeouts,
          })
        : {}),
      ...createDrawActivities({ context: createServiceContext(options.db) }),
      ...createDrawClosingsActivities({
        db: options.db,
        client,
        taskQueue: options.taskQueue,
        webhookTotalMs: sweep?.timeouts.webhookTotalMs ?? 3_600_000,
      }),
      ...createCatalogSyncActivities({
        context: createServiceContext(options.db),
        adapters,
        logger: options.logger,
      }),
      ...createCouponRefundActivities({ db: options.db, adapters }),
      ...createCouponExpiryActivities({ db: options.db, client, taskQueue: options.taskQueue }),
      ...createPointsExpiryActivities({
        context: createServiceContext(options.db),
        gatewayIssuer: options.gatewayIssuer,
        gatewayKey: options.gatewayKey,
        webhookTimeoutMs: options.partnerCallTimeoutMs,
      }),
      ...createReconciliationActivities({
        context: createServiceContext(options.db),
        adapters,
        toleranceMs: options.reconciliation?.toleranceMs ?? 300_000,
      }),
      ...createDailyReconciliationActivities({
        context: createServiceContext(options.db),
        client,
        taskQueue: options.taskQueue,
        timeZone: options.reconciliation?.daily?.timeZone ?? 'UTC',
      }),
      ...createWebhookActivities({
        db: options.db,
        gatewayIssuer: options.gatewayIssuer,
        gatewayKey: options.gatewayKey,
        webhookTimeoutMs: options.partnerCallTimeoutMs,
      }),
      ...createSettlementActivities(createServiceContext(options.db), options.gatewayKey),
      ...createConservationMonitorActivities({
        context: createServiceContext(options.db),
        logger: options.logger,
        gatewayIssuer: options.gatewayIssuer,
        gatewayKey: options.gatewayKey,
        operatorWebhookUrl: options.conservation?.operatorWebhookUrl ?? null,
        webhookTimeoutMs: options.partnerCallTimeoutMs,
      }),
      ...(sweep
        ? createStrandedTransferActivities({
            db: options.db,
            client,
            taskQueue: options.taskQueue,
            timeouts: sweep.timeouts,
          })
        : {}),
    },
  });
  if (sweep) await ensureStrandedTransfersSchedule(client, { taskQueue: options.taskQueue, ...sweep });
  // Open draws whose close never started (the publishing request died first) are started as often.
  if (sweep)
    await ensureDrawClosingsSchedule(client, {
      taskQueue: options.taskQueue,
      everySeconds: sweep.everySeconds,
    });
  if (options.reconciliation?.daily) {
    await ensureDailyReconciliationSchedule(client, {
      taskQueue: options.taskQueue,
      ...options.reconciliation.daily,
    });
  }
  if (options.settlement) {
    await ensureSettlementSchedule(client, { taskQueue: options.taskQueue, calendar: options.settlement });
  }
  if (options.conservation) {
    await ensureConservationMonitorSchedule(client, {
      taskQueue: options.taskQueue,
      ...options.conservation,
    });
  }
  if (options.couponExpiry) {
    await ensureCouponExpirySchedule(client, {
      taskQueue: options.taskQueue,
      everySeconds: options.couponExpiry.everySeconds,
      batchSize: options.couponExpiry.batchSize ?? 500,
      timeouts: options.couponExpiry.timeouts,
    });
  }
  if (options.pointsPayments) {
    await ensurePointsPaymentSweepSchedule(client, {
      taskQueue: options.taskQueue,
      ...options.pointsPayments,
    });
  }
  if (options.pointsExpiry) {
    await ensurePointsExpirySchedule(client, {
      taskQueue: options.taskQueue,
      everySeconds: options.pointsExpiry.everySeconds,
      pageSize: options.pointsExpiry.pageSize ?? 500,
      deliveryAttemptsMax: options.pointsExpiry.deliveryAttemptsMax ?? 20,
    });
  }
  if (options.catalogSync) {
    await ensureCatalogSyncSchedule(client, { taskQueue: options.taskQueue, ...options.catalogSync });
  }
  return { worker, connection, adapters };
}
