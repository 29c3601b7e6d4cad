// The daily reconciliation of a partner that was down through every attempt fails, visibly, and the
// next day's run tries that day again, rather than leaving it to finance to ask by hand. A database
// of its own: the daily run reconciles every programme in it.
import { describe, expect, it } from 'vitest';
import { dailyReconciliationScheduleId } from '../../workflows/schedules.ts';
import { createAlliance } from '../support/alliance.ts';

const alliance = await createAlliance({
  ownDatabase: 'reconciliation_daily_retry',
  reconciliation: { toleranceMs: 300_000 },
});
const { gateway, coffee } = alliance;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function coffeeDailyRuns() {
  return gateway.db
    .selectFrom('reconciliation_runs')
    .select(['id', 'status', 'failure_detail'])
    .where('program_id', '=', coffee.programId)
    .where('requested_by', '=', 'schedule')
    .execute();
}

async function untilCoffeeRun(status: string): Promise<Awaited<ReturnType<typeof coffeeDailyRuns>>> {
  let runs = await coffeeDailyRuns();
  for (let attempt = 0; attempt < 300 && !runs.some((run) => run.status === status); attempt += 1) {
    await sleep(200);
    runs = await coffeeDailyRuns();
  }
  return runs;
}

describe('a daily reconciliation whose partner was down', () => {
  it('fails, and the next daily run reconciles that day again', async () => {
    const schedule = gateway.temporal.schedule.getHandle(dailyReconciliationScheduleId(gateway.taskQueue));
    // Down for each of the run's five attempts at reading the list.
    coffee.server?.faults.add({
      operation: 'transactions',
      mode: 'fail_before',
      count: 5,
      delayMs: 0,
      code: '',
    });
    await schedule.trigger();
    const failed = await untilCoffeeRun('failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ status: 'failed' });
    expect(failed[0]?.failure_detail).toContain('503');

    // The partner is back; the next trigger (tomorrow's, here the same day's) runs the failed day again.
    await sleep(1_100);
    await schedule.trigger();
    const again = await untilCoffeeRun('completed');
    expect(again).toEqual([{ id: failed[0]?.id, status: 'completed', failure_detail: null }]);
  }, 90_000);
});
