// A connection to this run's test database, closed after the file's tests; or, for a file whose
// subject is alliance-wide state (settlement cycles), a database of its own with every migration.
import { afterAll, inject } from 'vitest';
import { createDatabase, type Db } from '../../store/connection.ts';
import { dropDatabase, ensureDatabase, withDatabase } from '../../store/database-url.ts';
import { migrateToLatest } from '../../store/migrator.ts';

export function useTestDatabase(poolSizeMax = 5): Db {
  const db = createDatabase({ url: inject('databaseUrl'), poolSizeMax });
  afterAll(() => db.destroy());
  return db;
}

/** A fresh database for this file alone: another file's settlement close cannot seal its cycle. */
export async function useOwnTestDatabase(name: string, poolSizeMax = 5): Promise<Db> {
  return (await useOwnTestDatabaseAt(name, poolSizeMax)).db;
}

/**
 * The same, with its URL, for a file that starts processes of its own on it (the crash tests). Its
 * afterAll runs after those the file registers later (vitest runs them as a stack).
 */
export async function useOwnTestDatabaseAt(name: string, poolSizeMax = 5): Promise<{ db: Db; url: string }> {
  const url = withDatabase(inject('databaseServerUrl'), `alliance_${name}_${process.pid}_${Date.now()}`);
  await ensureDatabase(url);
  const db = createDatabase({ url, poolSizeMax });
  await migrateToLatest(db);
  afterAll(async () => {
    await db.destroy();
    await dropDatabase(url);
  });
  return { db, url };
}
