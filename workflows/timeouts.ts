// Named timeout profiles for activities: each with a start-to-close (one attempt) and a
// schedule-to-close (all attempts together), so that no activity retries forever by accident.
import type { ActivityOptions } from '@temporalio/workflow';

export const timeoutProfiles = {
  /** A query or write on our own database. */
  database: {
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: '2 minutes',
    retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
  },
} as const satisfies Record<string, ActivityOptions>;
