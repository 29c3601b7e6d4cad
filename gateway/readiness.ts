// The real readiness checks: one round trip each to PostgreSQL and to Temporal.
import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import type { Db } from '../store/connection.ts';
import { pingTemporal } from '../workflows/client.ts';
import type { ReadinessChecks } from './routes/health.ts';

export function readinessChecks(db: Db, temporal: Client): ReadinessChecks {
  return {
    database: async () => {
      await sql`select 1`.execute(db);
    },
    temporal: () => pingTemporal(temporal),
  };
}
