// The Temporal Schedules the alliance runs; made (or brought up to date) when a worker starts, so a
// fresh deployment needs no separate step. Ids are fixed per task queue: a second worker finds them.
import { type Client, ScheduleOverlapPolicy } from '@temporalio/client';
import { catalogSyncWorkflow } from './catalog-sync.workflow.ts';
import {
  type ConservationMonitorInput,
  conservationMonitorWorkflow,
} from './conservation-monitor.workflow.ts';
import { type CouponExpiryInput, couponExpiryWorkflow } from './coupon-expiry.workflow.ts';
import {
  type DailyReconciliationInput,
  dailyReconciliationWorkflow,
} from './daily-reconciliation.workflow.ts';
import { type PointsExpiryInput, pointsExpiryWorkflow } from './points-expiry.workflow.ts';
import { upsertSchedule } from './schedule-upsert.ts';
import { type SettlementCloseInput, settlementCloseWorkflow } from './settlement-close.workflow.ts';
import { strandedTransfersWorkflow } from './stranded-transfers.workflow.ts';

export function strandedTransfersScheduleId(taskQueue: string): string {
  return `stranded-transfers:${taskQueue}`;
}

export async function ensureStrandedTransfersSchedule(
  client: Client,
  input: { taskQueue: string; everySeconds: number; untouchedSeconds: number },
): Promise<void> {
  const scheduleId = strandedTransfersScheduleId(input.taskQueue);
  const action = {
    type: 'startWorkflow' as const,
    workflowType: strandedTransfersWorkflow,
    workflowId: `${scheduleId}:sweep`,
    taskQueue: input.taskQueue,
    args: [{ untouchedSeconds: input.untouchedSeconds }] as [{ untouchedSeconds: number }],
  };
  const spec = { intervals: [{ every: input.everySeconds * 1000 }] };
  await upsertSchedule(client, {
    scheduleId,
    spec,
    action,
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
  });
}

export type SettlementCadence = 'daily' | 'weekly' | 'monthly';

export interface SettlementCalendar {
  cadence: SettlementCadence;
  /** The cut-off, local to timeZone. */
  hour: number;
  minute: number;
  /** An IANA zone, e.g. Asia/Shanghai: the Schedule keeps the cut-off local through DST changes. */
  timeZone: string;
}

export function settlementScheduleId(taskQueue: string): string {
  return `settlement-close:${taskQueue}`;
}

/** The settlement Schedule: one close per cut-off (weekly on Mondays, monthly on the 1st). */
export async function ensureSettlementSchedule(
  client: Client,
  input: { taskQueue: string; calendar: SettlementCalendar },
): Promise<void> {
  const scheduleId = settlementScheduleId(input.taskQueue);
  const { cadence, hour, minute, timeZone } = input.calendar;
  const spec = {
    calendars: [
      {
        hour,
        minute,
        ...(cadence === 'weekly' ? { dayOfWeek: 'MONDAY' as const } : {}),
        ...(cadence === 'monthly' ? { dayOfMonth: 1 } : {}),
      },
    ],
    timezone: timeZone,
  };
  // Temporal names each run `<workflowId>-<scheduled time>`: the close reads its period from it.
  const action = {
    type: 'startWorkflow' as const,
    workflowType: settlementCloseWorkflow,
    workflowId: scheduleId,
    taskQueue: input.taskQueue,
    args: [{}] as [SettlementCloseInput],
  };
  await upsertSchedule(client, {
    scheduleId,
    spec,
    action,
    policies: { overlap: ScheduleOverlapPolicy.BUFFER_ALL, catchupWindow: '7 days' },
  });
}

export function conservationMonitorScheduleId(taskQueue: string): string {
  return `conservation-monitor:${taskQueue}`;
}

/** The conservation monitor's Schedule: one check every `everySeconds`; a late run waits its turn. */
export async function ensureConservationMonitorSchedule(
  client: Client,
  input: { taskQueue: string; everySeconds: number; reservationGraceSeconds: number },
): Promise<void> {
  const scheduleId = conservationMonitorScheduleId(input.taskQueue);
  // An alert is retried until the next check is due, which alerts again if the failure remains.
  const monitor: ConservationMonitorInput = {
    reservationGraceSeconds: input.reservationGraceSeconds,
    alertWithinSeconds: input.everySeconds,
  };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: conservationMonitorWorkflow,
    workflowId: `${scheduleId}:check`,
    taskQueue: input.taskQueue,
    args: [monitor] as [ConservationMonitorInput],
  };
  const spec = { intervals: [{ every: input.everySeconds * 1000 }] };
  await upsertSchedule(client, {
    scheduleId,
    spec,
    action,
    policies: { overlap: ScheduleOverlapPolicy.BUFFER_ONE, catchupWindow: '1 minute' },
  });
}

export function dailyReconciliationScheduleId(taskQueue: string): string {
  return `reconciliation-daily:${taskQueue}`;
}

/** Every day at the hour (local to the zone), the day before is reconciled for every programme. */
export async function ensureDailyReconciliationSchedule(
  client: Client,
  input: { taskQueue: string; hour: number; minute: number; timeZone: string },
): Promise<void> {
  const scheduleId = dailyReconciliationScheduleId(input.taskQueue);
  const spec = { calendars: [{ hour: input.hour, minute: input.minute }], timezone: input.timeZone };
  // Temporal names each run `<workflowId>-<scheduled time>`: the run reads its day from it.
  const action = {
    type: 'startWorkflow' as const,
    workflowType: dailyReconciliationWorkflow,
    workflowId: scheduleId,
    taskQueue: input.taskQueue,
    args: [{}] as [DailyReconciliationInput],
  };
  await upsertSchedule(client, {
    scheduleId,
    spec,
    action,
    policies: { overlap: ScheduleOverlapPolicy.BUFFER_ALL, catchupWindow: '2 days' },
  });
}

export function couponExpiryScheduleId(taskQueue: string): string {
  return `coupon-expiry:${taskQueue}`;
}

/** Coupons expire (and refunds due start) every `everySeconds`; a run still going covers the next. */
export async function ensureCouponExpirySchedule(
  client: Client,
  input: { taskQueue: string; everySeconds: number } & CouponExpiryInput,
): Promise<void> {
  const scheduleId = couponExpiryScheduleId(input.taskQueue);
  const action = {
    type: 'startWorkflow' as const,
    workflowType: couponExpiryWorkflow,
    workflowId: `${scheduleId}:run`,
    taskQueue: input.taskQueue,
    args: [{ batchSize: input.batchSize, timeouts: input.timeouts }] as [CouponExpiryInput],
  };
  const spec = { intervals: [{ every: input.everySeconds * 1000 }] };
  await upsertSchedule(client, {
    scheduleId,
    spec,
    action,
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
  });
}

export function catalogSyncScheduleId(taskQueue: string): string {
  return `catalog-sync:${taskQueue}`;
}

/** Catalog sync's Schedule: every partner feed read every `everySeconds`; a run still going skips the next. */
export async function ensureCatalogSyncSchedule(
  client: Client,
  input: { taskQueue: string; everySeconds: number },
): Promise<void> {
  const scheduleId = catalogSyncScheduleId(input.taskQueue);
  const action = {
    type: 'startWorkflow' as const,
    workflowType: catalogSyncWorkflow,
    workflowId: `${scheduleId}:run`,
    taskQueue: input.taskQueue,
    args: [] as [],
  };
  const spec = { intervals: [{ every: input.everySeconds * 1000 }] };
  await upsertSchedule(client, {
    scheduleId,
    spec,
    action,
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
  });
}

export function pointsExpiryScheduleId(taskQueue: string): string {
  return `points-expiry:${taskQueue}`;
}

/** Hosted points expire and reminders go out every `everySeconds`; a run still going skips the next. */
export async function ensurePointsExpirySchedule(
  client: Client,
  input: { taskQueue: string; everySeconds: number } & PointsExpiryInput,
): Promise<void> {
  const scheduleId = pointsExpiryScheduleId(input.taskQueue);
  const action = {
    type: 'startWorkflow' as const,
    workflowType: pointsExpiryWorkflow,
    workflowId: `${scheduleId}:run`,
    taskQueue: input.taskQueue,
    args: [{ pageSize: input.pageSize, deliveryAttemptsMax: input.deliveryAttemptsMax }] as [
      PointsExpiryInput,
    ],
  };
  const spec = { intervals: [{ every: input.everySeconds * 1000 }] };
  await upsertSchedule(client, {
    scheduleId,
    spec,
    action,
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
  });
}
