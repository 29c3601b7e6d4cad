// A reconciliation run recorded by a process that died before it started the run's workflow (or
// while Temporal was away) is started by the stranded sweep and completes, once. A database of its
// own: the sweep drives every run in it.
import { describe, expect, it } from 'vitest';
import { insertRunWithId } from '../../store/reconciliation-runs.ts';
import { strandedTransfersScheduleId } from '../../workflows/schedules.ts';
import { createAlliance } from '../support/alliance.ts';

const alliance = await createAlliance({
  ownDatabase: 'reconciliation_stranded',
  strandedTransfers: { untouchedSeconds: 1 },
  reconciliation: { toleranceMs: 300_000 },
});
const { gateway, coffee, airline } = alliance;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a reconciliation run whose workflow never started', () => {
  it('is started by the stranded sweep, and completes', async () => {
    const from = new Date();
    const member = await alliance.member({ coffee: 1_000n });
    const transfer = (await (await alliance.transfer(coffee, airline, member, 100n)).json()) as {
      status: string;
    };
    expect(transfer.status).toBe('completed');
    // What a finance request leaves when its process dies right after recording the run.
    const run = await insertRunWithId(gateway.db, {
      id: `rec_stranded${Date.now()}`,
      partnerId: coffee.partner.id,
      programId: coffee.programId,
      period: { from, to: new Date(Date.now() + 1_000) },
      source: 'partner_api',
      requestedBy: 'finance',
    });
    expect(run.status).toBe('running');
    await sleep(1_200);
    await gateway.temporal.schedule.getHandle(strandedTransfersScheduleId(gateway.taskQueue)).trigger();
    let current = run;
    for (let attempt = 0; attempt < 150 && current.status === 'running'; attempt += 1) {
      await sleep(200);
      current = await gateway.db
        .selectFrom('reconciliation_runs')
        .selectAll()
        .where('id', '=', run.id)
        .executeTakeFirstOrThrow();
    }
    expect(current).toMatchObject({ status: 'completed', matched_count: 2n });
    // Another sweep leaves the ended run alone.
    await gateway.temporal.schedule.getHandle(strandedTransfersScheduleId(gateway.taskQueue)).trigger();
    await sleep(1_000);
    const after = await gateway.db
      .selectFrom('reconciliation_runs')
      .select(['status', 'finished_at'])
      .where('id', '=', run.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ status: 'completed', finished_at: current.finished_at });
  }, 60_000);
});
