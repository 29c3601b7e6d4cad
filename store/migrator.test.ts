// Every migration applies to an empty database, every `down` undoes its `up`, and int8 values come
// back as bigint, never as a JavaScript number.
import { sql } from 'kysely';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from './connection.ts';
import { dropDatabase, ensureDatabase, withDatabase } from './database-url.ts';
import { migrateToEmpty, migrateToLatest } from './migrator.ts';

const url = withDatabase(inject('databaseServerUrl'), `alliance_migrations_${process.pid}_${Date.now()}`);
await ensureDatabase(url);
const db = createDatabase({ url, poolSizeMax: 2 });
afterAll(async () => {
  await db.destroy();
  await dropDatabase(url);
});

async function tableNames(): Promise<string[]> {
  const result = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = 'public' and table_name not like 'kysely_%' order by table_name`.execute(db);
  return result.rows.map((row) => row.table_name);
}

describe('migrations', () => {
  it('apply to an empty database, and revert to empty', async () => {
    expect(await tableNames()).toEqual([]);
    const applied = await migrateToLatest(db);
    expect(applied.length).toBeGreaterThan(0);
    expect(await tableNames()).toEqual(
      expect.arrayContaining([
        'idempotency_records',
        'partner_keys',
        'partners',
        'programs',
        'request_nonces',
      ]),
    );
    expect(await migrateToLatest(db)).toEqual([]);
    await migrateToEmpty(db);
    expect(await tableNames()).toEqual([]);
    await migrateToLatest(db);
  });
});

describe('the connection', () => {
  it('reads int8 and whole numerics as bigint, beyond 2^53', async () => {
    const result = await sql<{ big: bigint; whole: bigint }>`
      select 9007199254740993::int8 as big, 12345678901234567890::numeric as whole`.execute(db);
    expect(result.rows[0]).toEqual({ big: 9_007_199_254_740_993n, whole: 12_345_678_901_234_567_890n });
  });

  it('refuses to read a fractional numeric rather than round it', async () => {
    await expect(sql`select 1.5::numeric as amount`.execute(db)).rejects.toThrow(/not a whole number/);
  });
});
