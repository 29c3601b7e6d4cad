// The reconciliation benchmark's data. Goal: the generated transfers give the programme exactly two
// gateway operations each, the partner's list carries exactly the breaks the benchmark says (found
// as such by the product's own matchRun, the rest matched), the same list for the same seed, and a
// run staged again after a match finds the same. Method: a small load into databases of this file's
// own. Nothing here times anything.
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { readWindow } from '../../domain/reconciliation.ts';
import { createDatabase } from '../../store/connection.ts';
import { dropDatabase, ensureDatabase, withDatabase } from '../../store/database-url.ts';
import { migrateToLatest } from '../../store/migrator.ts';
import { matchRun } from '../../store/reconciliation.ts';
import { gatewayOperations } from '../../store/reconciliation-gateway-operations.ts';
import { findRun } from '../../store/reconciliation-runs.ts';
import { recordTransferStep } from '../../store/transfers.ts';
import {
  breaksPerKind,
  clearRuns,
  defaultReconcileShape,
  loadReconcileData,
  stageBenchRun,
} from './reconcile-data.ts';

async function freshDatabase(name: string): Promise<string> {
  const url = withDatabase(inject('databaseServerUrl'), `alliance_${name}_${process.pid}_${Date.now()}`);
  await ensureDatabase(url);
  const db = createDatabase({ url, poolSizeMax: 1 });
  await migrateToLatest(db);
  await db.destroy();
  onTestFinished(() => dropDatabase(url));
  return url;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

// 2,000 transfers: 4,000 operations, 4 of each kind of break.
const shape = { ...defaultReconcileShape, transfers: 2_000, members: 50 };
const start = new Date('2026-11-28T00:00:00Z');

describe('loadReconcileData', () => {
  it('makes two operations a transfer and a list with exactly the breaks it says, the same for the same seed', async () => {
    const [first, second] = [await freshDatabase('bench_rec_a'), await freshDatabase('bench_rec_b')];
    const loaded = await withClient(first, (client) => loadReconcileData(client, shape, start));
    await withClient(second, (client) => loadReconcileData(client, shape, start));
    expect(breaksPerKind(shape)).toBe(4);
    expect(loaded).toMatchObject({ operations: 4_000, breaksPerKind: 4, listItems: 4_000 - 4 + 4 + 4 });

    const list = (url: string) =>
      withClient(url, async (client) => {
        const { rows } = await client.query(
          'select key, operation, account_ref, points, status, at, perturbed from bench_partner_list order by key, perturbed',
        );
        return rows;
      });
    const listed = await list(first);
    expect(listed).toEqual(await list(second));
    const perturbed = new Map<string, number>();
    for (const item of listed) perturbed.set(item.perturbed, (perturbed.get(item.perturbed) ?? 0) + 1);
    expect(Object.fromEntries(perturbed)).toEqual({
      null: 3_984,
      unknown: 4,
      amount: 4,
      status: 4,
      duplicate: 8,
    });

    const steps = await withClient(first, async (client) => {
      const { rows } = await client.query(
        `select count(*)::int as steps, count(distinct transfer_id)::int as transfers,
                min(at) >= $1::timestamptz and max(at) < $1::timestamptz + interval '1 day' as within_day,
                (select count(*)::int from transfers where status = 'completed') as completed
         from transfer_steps`,
        [start],
      );
      return rows[0];
    });
    expect(steps).toEqual({ steps: 8_000, transfers: 2_000, within_day: true, completed: 2_000 });
  });
});

describe('stageBenchRun', () => {
  it('stages the list for a run, whose match finds each kind of break exactly, and again after it', async () => {
    const url = await freshDatabase('bench_rec_match');
    const loaded = await withClient(url, (client) => loadReconcileData(client, shape, start));
    const db = createDatabase({ url, poolSizeMax: 2 });
    const window = readWindow(loaded.period, 300_000);
    const match = async (runId: string) => {
      await withClient(url, async (client) => {
        await clearRuns(client);
        await stageBenchRun(client, loaded, runId);
      });
      const run = await findRun(db, runId);
      if (!run) throw new Error('no run');
      return matchRun(db, { run, window });
    };
    try {
      const expected = {
        partnerItemCount: 4_004n,
        matchedCount: 3_984n,
        breakCounts: {
          missing_at_partner: 4,
          missing_at_gateway: 4,
          amount_mismatch: 4,
          status_mismatch: 4,
          duplicate_at_partner: 4,
        },
      };
      expect(await match('rec_bench_1')).toEqual(expected);
      // The breaks are the perturbed items: the same keys, by kind.
      const found = await withClient(url, async (client) => {
        const { rows } = await client.query<{ kind: string; keys: string[] }>(
          `select kind, array_agg(item_key order by item_key) as keys from reconciliation_breaks group by kind order by kind`,
        );
        const listed = await client.query<{ perturbed: string; keys: string[] }>(
          `select perturbed, array_agg(distinct key order by key) as keys from bench_partner_list
           where perturbed is not null group by perturbed`,
        );
        return {
          breaks: rows,
          listed: Object.fromEntries(listed.rows.map((row) => [row.perturbed, row.keys])),
        };
      });
      const keysOf = (kind: string) => found.breaks.find((row) => row.kind === kind)?.keys;
      expect(keysOf('missing_at_gateway')).toEqual(found.listed.unknown);
      expect(keysOf('amount_mismatch')).toEqual(found.listed.amount);
      expect(keysOf('status_mismatch')).toEqual(found.listed.status);
      expect(keysOf('duplicate_at_partner')).toEqual(found.listed.duplicate);
      expect(keysOf('missing_at_partner')).toHaveLength(4);
      expect(await match('rec_bench_2')).toEqual(expected);
    } finally {
      await db.destroy();
    }
  });
});

describe('gatewayOperations', () => {
  // A reservation's status is its transfer's reservation_end, set by the statement that records the
  // post or void (recordTransferStep): whether that step lies in the window or after it, the status is
  // the same, and a transfer with neither is still reserved.
  it("gives a reservation's status whether its post or void is in the window or after it", async () => {
    const url = await freshDatabase('bench_rec_status');
    const loaded = await withClient(url, (client) => loadReconcileData(client, shape, start));
    const window = readWindow(loaded.period, 300_000);
    const inWindow = new Date(loaded.period.from.getTime() + 3_600_000);
    const db = createDatabase({ url, poolSizeMax: 1 });
    try {
      const rows = await db.selectFrom('transfers').select('id').orderBy('id').limit(6).execute();
      const [postedLater, voided, voidedLater, reserved, posted, voidedThenPosted] = rows.map(
        (row) => row.id,
      );
      const transfers = { postedLater, voided, voidedLater, reserved, posted, voidedThenPosted };
      const ids = Object.values(transfers) as string[];
      // As loaded, each was posted: forget that, then record the steps as the product does (now,
      // after the window) and move those meant to be in it back into it.
      await db
        .deleteFrom('transfer_steps')
        .where('transfer_id', 'in', ids)
        .where('step', '=', 'post')
        .execute();
      await db.updateTable('transfers').set({ reservation_end: null }).where('id', 'in', ids).execute();
      const record = (transferId: string | undefined, step: 'post' | 'void') =>
        recordTransferStep(db, { transferId: transferId ?? '', step, outcome: 'done' });
      await record(postedLater, 'post');
      await record(voided, 'void');
      await record(voidedLater, 'void');
      await record(posted, 'post');
      await record(voidedThenPosted, 'void');
      await record(voidedThenPosted, 'post');
      await record(voidedThenPosted, 'void');
      await sql`update transfer_steps set at = ${inWindow}
        where transfer_id = any(${[voided, posted]}) and step in ('post', 'void')`.execute(db);
      const operations = gatewayOperations({ programId: loaded.programId, ...window });
      const found = await sql<{ key: string; status: string }>`select key, status from ${operations} g
        where key = any(${ids.flatMap((id) => [`${id}:reserve`, `${id}:post`, `${id}:void`])})
        order by key`.execute(db);
      expect(Object.fromEntries(found.rows.map((row) => [row.key, row.status]))).toEqual({
        [`${postedLater}:reserve`]: 'posted',
        [`${voided}:reserve`]: 'voided',
        [`${voided}:void`]: 'voided',
        [`${voidedLater}:reserve`]: 'voided',
        [`${reserved}:reserve`]: 'reserved',
        [`${posted}:reserve`]: 'posted',
        [`${posted}:post`]: 'posted',
        [`${voidedThenPosted}:reserve`]: 'posted',
      });
    } finally {
      await db.destroy();
    }
  });
});
