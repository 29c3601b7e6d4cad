// A connection to this run's test database, closed after the file's tests.
import { afterAll, inject } from 'vitest';
import { createDatabase, type Db } from '../../store/connection.ts';

export function useTestDatabase(poolSizeMax = 5): Db {
  const db = createDatabase({ url: inject('databaseUrl'), poolSizeMax });
  afterAll(() => db.destroy());
  return db;
}
