// The one place where the database connection is made. int8 and numeric come back from pg as
// strings; they are parsed to bigint here, so no amount ever passes through a JavaScript number.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** Per-pool type parsers, so that no global state of the pg module is changed. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (value: string) => BigInt(value);
    if (oid === NUMERIC_OID) {
      return (value: string) => {
        if (!/^-?\d+$/.test(value)) throw new Error(`numeric ${value} is not a whole number`);
        return BigInt(value);
      };
    }
    return pg.types.getTypeParser(oid, format);
  },
};

export interface DatabaseOptions {
  url: string;
  poolSizeMax: number;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
}

export type Db = Kysely<Database>;

export function createDatabase(options: DatabaseOptions): Db {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSizeMax,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs ?? 15_000,
    types,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
