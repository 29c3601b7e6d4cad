// Activities: all of the workflows' I/O. Built by a factory so tests pass real dependencies.
import { sql } from 'kysely';
import type { Db } from '../store/connection.ts';

export interface ActivityDependencies {
  db: Db;
}

export function createActivities(deps: ActivityDependencies) {
  return {
    /** The database server's clock: proves that a workflow reached PostgreSQL through the worker. */
    async readDatabaseTime(): Promise<string> {
      const result = await sql<{ now: Date }>`select now() as now`.execute(deps.db);
      const row = result.rows[0];
      if (!row) throw new Error('select now() returned no row');
      return row.now.toISOString();
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
