// Reconciliation against real partner systems: the gateway's record of what it did at a programme
// matched with the reference partner's own list (over HTTP, or uploaded as CSV). Each break kind is
// produced for real by the partner's report switches, found, resolved, and kept through a rerun.
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { createServiceContext } from '../../services/context.ts';
import { reconcileRun } from '../../services/reconciliation.ts';
import { dailyReconciliationScheduleId } from '../../workflows/schedules.ts';
import { type AlliancePartner, createAlliance } from '../support/alliance.ts';

const toleranceMs = 300_000;
const alliance = await createAlliance({ reconciliation: { toleranceMs } });
const { gateway, coffee, airline, bookstore } = alliance;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Run {
  id: string;
  status: string;
  source: string;
  partnerItemCount: string | null;
  matchedCount: string | null;
  breakCounts: Record<string, number> | null;
  failureDetail: string | null;
}
interface Break {
  id: string;
  kind: string;
  itemKey: string;
  partner: { points: string | null; status: string | null; timesListed: number | null };
  gateway: { points: string | null; status: string | null };
  ageHours: number;
  resolution: { resolution: string; reason: string } | null;
}

async function completedTransfers(
  count: number,
  from: AlliancePartner,
  to: AlliancePartner,
): Promise<string[]> {
  const member = await alliance.member({ coffee: 100_000n, airline: 100_000n, bookstore: 100_000n });
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const transfer = (await (await alliance.transfer(from, to, member, 100n)).json()) as {
      id: string;
      status: string;
    };
    expect(transfer.status).toBe('completed');
    ids.push(transfer.id);
  }
  return ids;
}

async function financeRun(partner: AlliancePartner, from: Date, to: Date): Promise<Run> {
  const response = await gateway.call(gateway.finance, 'POST', '/v1/finance/reconciliation/runs', {
    body: { programId: partner.programId, from: from.toISOString(), to: to.toISOString() },
  });
  expect(response.status).toBe(201);
  return (await response.json()) as Run;
}

async function openBreaks(partner: AlliancePartner, query = ''): Promise<Break[]> {
  const response = await gateway.call(
    gateway.finance,
    'GET',
    `/v1/finance/reconciliation/breaks?partnerId=${partner.partner.id}&limit=100${query}`,
  );
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: Break[] }).items;
}

describe('reconciling a partner system', () => {
  it('finds nothing wrong in a clean period, and counts what matched', async () => {
    const from = new Date();
    await completedTransfers(3, coffee, airline);
    const to = new Date(Date.now() + 1_000);
    const atSource = await financeRun(coffee, from, to);
    // Each transfer reserved and posted at the source; each credited at the target.
    expect(atSource).toMatchObject({
      status: 'completed',
      source: 'partner_api',
      matchedCount: '6',
      breakCounts: {},
    });
    const atTarget = await financeRun(airline, from, to);
    expect(atTarget).toMatchObject({ status: 'completed', matchedCount: '3', breakCounts: {} });
    expect(await openBreaks(coffee)).toEqual([]);
  });

  it('finds each kind of break the partner makes, by key, and keeps resolutions through a rerun', async () => {
    const from = new Date();
    const [dropped, changed, restated, doubled] = await completedTransfers(4, coffee, airline);
    const stray = `stray-${Date.now()}`;
    await coffee.server?.books.credit({ key: stray, accountRef: `stray-account-${Date.now()}`, points: 5n });
    const quirks = coffee.server?.reportQuirks;
    quirks?.set(`${dropped}:reserve`, 'drop');
    quirks?.set(`${changed}:post`, 'change_amount');
    quirks?.set(`${restated}:reserve`, 'change_status');
    quirks?.set(`${doubled}:post`, 'duplicate');
    const to = new Date(Date.now() + 1_000);

    const run = await financeRun(coffee, from, to);
    expect(run.breakCounts).toEqual({
      missing_at_partner: 1,
      missing_at_gateway: 1,
      amount_mismatch: 1,
      status_mismatch: 1,
      duplicate_at_partner: 1,
    });
    const breaks = await openBreaks(coffee);
    const byKind = new Map(breaks.map((found) => [found.kind, found]));
    expect(byKind.get('missing_at_partner')?.itemKey).toBe(`${dropped}:reserve`);
    expect(byKind.get('missing_at_gateway')?.itemKey).toBe(stray);

    // The run's activity retried after it had matched (its completion lost to Temporal): it answers
    // what the run found, and neither refetches nor matches against nothing.
    const retried = await reconcileRun(createServiceContext(gateway.db), {
      runId: run.id,
      toleranceMs,
      transactions: async () => [],
      pageSize: 100,
      progress: () => {},
      now: new Date(),
    });
    expect(retried.breakCounts).toEqual(run.breakCounts);
    expect((await openBreaks(coffee)).map((found) => found.id).sort()).toEqual(
      breaks.map((found) => found.id).sort(),
    );
    expect(byKind.get('amount_mismatch')).toMatchObject({
      itemKey: `${changed}:post`,
      gateway: { points: '100' },
      partner: { points: '101' },
    });
    expect(byKind.get('status_mismatch')).toMatchObject({
      itemKey: `${restated}:reserve`,
      gateway: { status: 'posted' },
      partner: { status: 'voided' },
    });
    expect(byKind.get('duplicate_at_partner')).toMatchObject({
      itemKey: `${doubled}:post`,
      partner: { timesListed: 2 },
    });
    expect(breaks.every((found) => found.ageHours === 0)).toBe(true);
    expect(await openBreaks(coffee, '&kind=amount_mismatch')).toHaveLength(1);

    // Finance resolves one for good; another resolution of it is refused.
    const resolved = byKind.get('missing_at_gateway');
    const resolve = (resolution: string, reason: string) =>
      gateway.call(gateway.finance, 'POST', `/v1/finance/reconciliation/breaks/${resolved?.id}/resolution`, {
        body: { resolution, reason },
      });
    const first = await resolve('written_off', 'a goodwill credit the partner made by hand');
    expect(first.status).toBe(200);
    expect(((await first.json()) as Break).resolution).toMatchObject({ resolution: 'written_off' });
    expect((await resolve('adjusted', 'changed my mind')).status).toBe(409);

    // The partner fixes its list for two of them; the rerun replaces the open breaks, keeps the
    // resolved one as it was, and duplicates nothing.
    quirks?.clear();
    quirks?.set(`${doubled}:post`, 'duplicate');
    const rerun = await financeRun(coffee, from, to);
    expect(rerun.breakCounts).toEqual({ missing_at_gateway: 1, duplicate_at_partner: 1 });
    const open = await openBreaks(coffee);
    expect(open.map((found) => found.kind)).toEqual(['duplicate_at_partner']);
    const all = await openBreaks(coffee, '&state=all');
    expect(all.filter((found) => found.itemKey === stray)).toHaveLength(1);
    expect(all.find((found) => found.itemKey === stray)?.resolution).toMatchObject({
      resolution: 'written_off',
    });
    quirks?.clear();
  });

  it('agrees on reversals: the take-backs, the returns and the credits they reversed', async () => {
    const from = new Date();
    const [partly, wholly] = await completedTransfers(2, coffee, airline);
    for (const [transferId, body] of [
      [partly, { sourcePoints: '50', reason: 'half refunded' }],
      [wholly, { reason: 'refunded' }],
    ] as const) {
      const response = await gateway.call(coffee.signer, 'POST', `/v1/transfers/${transferId}/reversals`, {
        body,
      });
      expect(((await response.json()) as { status: string }).status).toBe('completed');
    }
    const to = new Date(Date.now() + 1_000);
    // At the source: 2 reserves, 2 posts, 2 returns; at the target: 2 credits, 2 take-backs.
    expect(await financeRun(coffee, from, to)).toMatchObject({ matchedCount: '6', breakCounts: {} });
    expect(await financeRun(airline, from, to)).toMatchObject({ matchedCount: '4', breakCounts: {} });
  });

  it('reads every page of a partner whose pages are shorter than the contract allows', async () => {
    const from = new Date();
    await completedTransfers(3, coffee, airline);
    const to = new Date(Date.now() + 1_000);
    coffee.server?.reportQuirks.setPageSize(2);
    try {
      // 3 reserves and 3 posts, listed two at a time.
      expect(await financeRun(coffee, from, to)).toMatchObject({ matchedCount: '6', breakCounts: {} });
    } finally {
      coffee.server?.reportQuirks.clear();
    }
  });

  it('reconciles a hosted programme against its ledger', async () => {
    const from = new Date();
    await completedTransfers(2, bookstore, coffee);
    const run = await financeRun(bookstore, from, new Date(Date.now() + 1_000));
    expect(run).toMatchObject({
      status: 'completed',
      source: 'hosted_ledger',
      matchedCount: '4',
      breakCounts: {},
    });
  });
});

describe('a partner uploading its own list as CSV', () => {
  async function ownList(partner: AlliancePartner, from: Date, to: Date, shiftMs = 0) {
    const operations = (await partner.server?.books.transactions({ from, to, limit: 5_000 })) ?? [];
    return operations.map((operation) => ({ ...operation, at: new Date(operation.at.getTime() + shiftMs) }));
  }
  const csvOf = (
    rows: {
      key: string;
      kind: string;
      accountRef: string | null;
      points: bigint;
      status: string;
      at: Date;
    }[],
  ) =>
    stringify(
      rows.map((row) => [
        row.key,
        row.kind,
        row.accountRef ?? '',
        String(row.points),
        row.status,
        row.at.toISOString(),
      ]),
      {
        header: true,
        columns: ['key', 'operation', 'account_ref', 'points', 'status', 'at'],
        record_delimiter: '\r\n',
      },
    );
  const upload = (partner: AlliancePartner, from: Date, to: Date, csv: string) =>
    gateway.call(partner.signer, 'POST', '/v1/reconciliation/uploads', {
      body: { programId: partner.programId, from: from.toISOString(), to: to.toISOString(), csv },
    });

  it('matches a list that agrees, and finds a difference in one that does not', async () => {
    const from = new Date();
    const [first] = await completedTransfers(2, airline, bookstore);
    const to = new Date(Date.now() + 1_000);
    const rows = await ownList(airline, from, to);
    const agreeing = await upload(airline, from, to, csvOf(rows));
    expect(agreeing.status).toBe(201);
    expect(await agreeing.json()).toMatchObject({ source: 'upload', matchedCount: '4', breakCounts: {} });

    const differing = rows.map((row) =>
      row.key === `${first}:post` ? { ...row, points: row.points + 10n } : row,
    );
    const response = await upload(airline, from, to, csvOf(differing));
    expect(await response.json()).toMatchObject({ breakCounts: { amount_mismatch: 1 } });
    const mine = (await (await gateway.call(airline.signer, 'GET', '/v1/reconciliation/breaks')).json()) as {
      items: Break[];
    };
    expect(mine.items.map((found) => found.itemKey)).toContain(`${first}:post`);
  });

  it("leaves open the breaks finance's runs found, whatever list the partner uploads", async () => {
    const from = new Date();
    const [changed] = await completedTransfers(1, airline, bookstore);
    airline.server?.reportQuirks.set(`${changed}:post`, 'change_amount');
    const to = new Date(Date.now() + 1_000);
    expect(await financeRun(airline, from, to)).toMatchObject({ breakCounts: { amount_mismatch: 1 } });
    const found = await openBreaks(airline, '&kind=amount_mismatch');
    expect(found.map((item) => item.itemKey)).toContain(`${changed}:post`);

    // The partner uploads a list that agrees with the gateway: its run finds nothing, and the break
    // found in the partner's own system stays open for finance.
    const response = await upload(airline, from, to, csvOf(await ownList(airline, from, to)));
    expect(await response.json()).toMatchObject({ source: 'upload', breakCounts: {} });
    const still = await openBreaks(airline, '&kind=amount_mismatch');
    expect(still.map((item) => item.itemKey)).toContain(`${changed}:post`);
  });

  it('tolerates the clock difference at the period edges', async () => {
    const [transferId] = await completedTransfers(1, airline, bookstore);
    const reserved = await gateway.db
      .selectFrom('transfer_steps')
      .select('at')
      .where('transfer_id', '=', transferId ?? '')
      .where('step', '=', 'reserve')
      .executeTakeFirstOrThrow();
    // The partner's clock runs 90 s behind: its items fall before the period's end, the gateway's
    // after it. Neither is a break: matched across the edge, and outside the period by the gateway's time.
    const rows = await ownList(airline, new Date(reserved.at.getTime() - 60_000), new Date(), -90_000);
    const to = new Date(reserved.at.getTime() - 30_000);
    const response = await upload(airline, new Date(to.getTime() - 3_600_000), to, csvOf(rows));
    expect(await response.json()).toMatchObject({ status: 'completed', breakCounts: {} });
  });

  it('refuses a malformed file whole, naming its line and column', async () => {
    const from = new Date(Date.now() - 60_000);
    const to = new Date();
    const malformed =
      'key,operation,account_ref,points,status,at\r\nk1,credit,a,10,credited,2026-11-29T10:00:00Z\r\nk2,credit,a,ten,credited,2026-11-29T10:00:00Z\r\n';
    const response = await upload(airline, from, to, malformed);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ field: 'csv', message: 'line 3, column points: must be a whole number of points' }],
    });
    const runs = await gateway.db
      .selectFrom('reconciliation_runs')
      .select('id')
      .where('program_id', '=', airline.programId)
      .where('period_to', '=', to)
      .execute();
    expect(runs).toEqual([]);
    const elsewhere = await upload(airline, from, to, 'key,operation\r\n');
    expect(((await elsewhere.json()) as { errors: { message: string }[] }).errors[0]?.message).toContain(
      'line 1',
    );
    const notMine = await gateway.call(airline.signer, 'POST', '/v1/reconciliation/uploads', {
      body: { programId: coffee.programId, from: from.toISOString(), to: to.toISOString(), csv: 'key\r\n' },
    });
    expect(notMine.status).toBe(403);
  });
});

describe('the daily reconciliation', () => {
  it('runs the day before for every programme, once however often it is triggered', async () => {
    const schedule = gateway.temporal.schedule.getHandle(dailyReconciliationScheduleId(gateway.taskQueue));
    await schedule.trigger();
    let runs: { id: string; status: string; requested_by: string }[] = [];
    for (let attempt = 0; attempt < 100; attempt += 1) {
      runs = await gateway.db
        .selectFrom('reconciliation_runs')
        .select(['id', 'status', 'requested_by'])
        .where('program_id', '=', coffee.programId)
        .where('requested_by', '=', 'schedule')
        .execute();
      if (runs.length > 0 && runs.every((run) => run.status === 'completed')) break;
      await sleep(200);
    }
    expect(runs).toHaveLength(1);
    expect(runs[0]?.status).toBe('completed');
    await schedule.trigger();
    await sleep(2_000);
    const again = await gateway.db
      .selectFrom('reconciliation_runs')
      .select('id')
      .where('program_id', '=', coffee.programId)
      .where('requested_by', '=', 'schedule')
      .execute();
    expect(again).toHaveLength(1);
  });
});
