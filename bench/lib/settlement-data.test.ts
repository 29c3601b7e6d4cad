// The settlement benchmark's data and reset. Goal: the generated obligations are what the benchmark
// says they are (every row in the open cycle, between distinct existing partners, the alliance's
// fees with no creditor, both currencies, the same rows for the same seed), and reopening a sealed
// cycle lets the same close run again with the same result. Method: a small load into a database
// of this file's own, closed with the product's sealCycle and netCycle. Nothing here times anything.
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createServiceContext } from '../../services/context.ts';
import { netCycle, sealCycle } from '../../services/settlement.ts';
import { signDocument } from '../../signing/documents.ts';
import { generateSigningKeyPair } from '../../signing/keys.ts';
import { createDatabase } from '../../store/connection.ts';
import { dropDatabase, ensureDatabase, withDatabase } from '../../store/database-url.ts';
import { migrateToLatest } from '../../store/migrator.ts';
import { defaultSettlementShape, loadSettlementData, median, reopenCycle } from './settlement-data.ts';

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });
});

async function freshDatabase(name: string): Promise<string> {
  const url = withDatabase(inject('databaseServerUrl'), `alliance_${name}_${process.pid}_${Date.now()}`);
  await ensureDatabase(url);
  const db = createDatabase({ url, poolSizeMax: 1 });
  await migrateToLatest(db);
  await db.destroy();
  afterAll(() => dropDatabase(url));
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

const shape = { ...defaultSettlementShape, obligations: 4_000, partners: 7 };

/** The rows as partner positions (1-based) instead of ids, which are new at every load. */
async function rowsByPosition(url: string, partnerIds: string[]) {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{
      kind: string;
      debtor_partner_id: string;
      creditor_partner_id: string | null;
      amount_minor: string;
      currency: string;
    }>(
      'select kind, debtor_partner_id, creditor_partner_id, amount_minor, currency from settlement_obligations order by id',
    );
    return rows.map((row) => [
      row.kind,
      partnerIds.indexOf(row.debtor_partner_id),
      row.creditor_partner_id === null ? null : partnerIds.indexOf(row.creditor_partner_id),
      row.amount_minor,
      row.currency,
    ]);
  });
}

describe('loadSettlementData', () => {
  it('loads the obligations the benchmark describes, the same ones for the same seed', async () => {
    const [first, second] = [await freshDatabase('bench_data_a'), await freshDatabase('bench_data_b')];
    const start = new Date('2026-11-29T16:00:00Z');
    const loadedA = await withClient(first, (client) => loadSettlementData(client, shape, start));
    const loadedB = await withClient(second, (client) => loadSettlementData(client, shape, start));

    const summary = await withClient(first, async (client) => {
      const { rows } = await client.query(
        `select count(*)::int as obligations,
                count(*) filter (where o.cycle_id <> $1)::int as other_cycle,
                count(*) filter (where o.creditor_partner_id = o.debtor_partner_id)::int as self_owed,
                count(*) filter (where (o.creditor_partner_id is null) <> (o.kind = 'alliance_fee'))::int as fee_mismatch,
                count(*) filter (where o.creditor_partner_id is null)::int as fees,
                count(*) filter (where o.currency = $3)::int as second_currency,
                count(*) filter (where o.amount_minor not between 1 and 100000)::int as out_of_range,
                count(distinct o.debtor_partner_id)::int as debtors,
                count(*) filter (where not (o.debtor_partner_id = any($2)))::int as unknown_debtors,
                min(o.created_at) >= $4::timestamptz and max(o.created_at) <= $4::timestamptz + interval '1 day' as within_day
         from settlement_obligations o`,
        [loadedA.cycleId, loadedA.partnerIds, shape.currencies[1], start],
      );
      const partners = await client.query('select count(*)::int as count from partners');
      return { ...rows[0], partners: partners.rows[0].count };
    });
    expect(summary).toMatchObject({
      obligations: 4_000,
      other_cycle: 0,
      self_owed: 0,
      fee_mismatch: 0,
      second_currency: expect.any(Number),
      out_of_range: 0,
      debtors: 7,
      unknown_debtors: 0,
      within_day: true,
      partners: 7,
    });
    // 5 % fees and 30 % in the second currency, give or take what 4,000 draws allow.
    expect(summary.fees).toBeGreaterThan(120);
    expect(summary.fees).toBeLessThan(290);
    expect(summary.second_currency).toBeGreaterThan(1_000);
    expect(summary.second_currency).toBeLessThan(1_400);

    expect(await rowsByPosition(first, loadedA.partnerIds)).toEqual(
      await rowsByPosition(second, loadedB.partnerIds),
    );
  });
});

describe('reopenCycle', () => {
  it('lets the same close run again over the same obligations, with the same result', async () => {
    const url = await freshDatabase('bench_reopen');
    const { cycleId } = await withClient(url, (client) =>
      loadSettlementData(client, shape, new Date('2026-11-29T16:00:00Z')),
    );
    const db = createDatabase({ url, poolSizeMax: 2 });
    const key = await generateSigningKeyPair('ES256');
    const sign = (document: unknown) => signDocument(key, document);
    const context = createServiceContext(db);
    const close = async (label: string) => {
      const sealed = await sealCycle(context, { periodLabel: label, now: new Date() });
      expect(sealed.id).toBe(cycleId);
      await netCycle(context, { cycleId, sign });
      // Counted by the netting's GROUP BY, and a statement issued to every partner.
      const counted = await sql<{ obligation_count: bigint; statements: bigint }>`select obligation_count,
          (select count(*) from settlement_statements where cycle_id = ${cycleId}) as statements
        from settlement_cycles where id = ${cycleId}`.execute(db);
      expect(counted.rows).toEqual([{ obligation_count: 4_000n, statements: BigInt(shape.partners) }]);
      const positions = await sql<{
        currency: string;
        party_id: string;
        net_minor: bigint;
      }>`select currency, party_id, net_minor from settlement_positions where cycle_id = ${cycleId} order by 1, 2`.execute(
        db,
      );
      const cycles = await sql<{ count: bigint }>`select count(*) as count from settlement_cycles`.execute(
        db,
      );
      return { positions: positions.rows, cycles: cycles.rows[0]?.count };
    };
    try {
      const first = await close('bench-1');
      expect(first.positions.length).toBeGreaterThan(0);
      expect(first.cycles).toBe(2n);
      await withClient(url, (client) => reopenCycle(client, cycleId));
      const open = await sql<{ id: string }>`select id from settlement_cycles where status = 'open'`.execute(
        db,
      );
      expect(open.rows).toEqual([{ id: cycleId }]);
      expect(await close('bench-2')).toEqual(first);
    } finally {
      await db.destroy();
    }
  });
});
