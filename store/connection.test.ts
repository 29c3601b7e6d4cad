// Statements run as named prepared statements (parsed and planned once per connection), and a
// statement whose table changed shape under it still runs.
import { sql } from 'kysely';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from './connection.ts';
import { dropDatabase, ensureDatabase, withDatabase } from './database-url.ts';

const url = withDatabase(inject('databaseServerUrl'), `alliance_connection_${process.pid}_${Date.now()}`);
await ensureDatabase(url);
// One connection, so that every statement below meets the same session's prepared statements.
const db = createDatabase({ url, poolSizeMax: 1 });
type Gadgets = { gadgets: { id: bigint; label: string } };
afterAll(async () => {
  await db.destroy();
  await dropDatabase(url);
});

async function preparedStatements(): Promise<{ name: string; statement: string }[]> {
  const result = await sql<{ name: string; statement: string }>`
    select name, statement from pg_prepared_statements`.execute(db);
  return result.rows;
}

describe('the database connection', () => {
  it('prepares each statement once per connection and reuses it', async () => {
    await sql`create table gadgets (id int8 primary key, label text not null)`.execute(db);
    const insert = (id: bigint) =>
      db
        .withTables<Gadgets>()
        .insertInto('gadgets')
        .values({ id, label: `gadget ${id}` })
        .execute();
    await insert(1n);
    await insert(2n);
    await insert(3n);
    const inserts = (await preparedStatements()).filter((row) =>
      row.statement.startsWith('insert into "gadgets"'),
    );
    expect(inserts).toHaveLength(1);
    expect(inserts[0]?.name).toMatch(/^kysely_\d+$/);
    const count = await sql<{ n: bigint }>`select count(*) as n from gadgets`.execute(db);
    expect(count.rows[0]?.n).toBe(3n);
  });

  it('prepares nothing when told not to', async () => {
    const unprepared = createDatabase({ url, poolSizeMax: 1, preparedStatements: false });
    try {
      await unprepared.withTables<Gadgets>().selectFrom('gadgets').select('id').execute();
      const result = await sql<{ n: bigint }>`select count(*) as n from pg_prepared_statements`.execute(
        unprepared,
      );
      expect(result.rows[0]?.n).toBe(0n);
    } finally {
      await unprepared.destroy();
    }
  });

  it('still runs a prepared select * after a migration changed its table', async () => {
    await sql`create table widgets (id int8 primary key)`.execute(db);
    await sql`insert into widgets values (1)`.execute(db);
    const all = () =>
      db
        .withTables<{ widgets: { id: bigint; colour?: string } }>()
        .selectFrom('widgets')
        .selectAll()
        .execute();
    expect(await all()).toEqual([{ id: 1n }]);
    await sql`alter table widgets add column colour text not null default 'blue'`.execute(db);
    expect(await all()).toEqual([{ id: 1n, colour: 'blue' }]);
    expect(await all()).toEqual([{ id: 1n, colour: 'blue' }]);
  });
});
