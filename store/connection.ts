// The one place where the database connection is made. int8 and numeric come back from pg as
// strings; they are parsed to bigint here, so no amount ever passes through a JavaScript number.
import {
  Kysely,
  type PostgresCursor,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
} from 'kysely';
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
  /** Named prepared statements (see `preparingPool`); true unless said otherwise. */
  preparedStatements?: boolean;
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
  const prepared = options.preparedStatements ?? true;
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool: prepared ? preparingPool(pool) : pool }),
  });
}

/** How many distinct statements a process prepares; beyond that they run unnamed, as pg's default. */
const preparedStatementsMax = 300;
const statementNames = new Map<string, string>();

function statementName(text: string): string | undefined {
  const known = statementNames.get(text);
  if (known !== undefined || statementNames.size >= preparedStatementsMax) return known;
  const name = `kysely_${statementNames.size + 1}`;
  statementNames.set(text, name);
  return name;
}

/** PostgreSQL's answer to a prepared `select *` after its table changed shape (a migration ran). */
function isStalePlan(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error as { code?: string }).code === '0A000' &&
    /cached plan must not change result type/.test(error.message)
  );
}

/** A pool client whose statements run as named prepared statements (see `preparingPool`). */
class PreparingClient implements PostgresPoolClient {
  readonly #client: pg.PoolClient;
  /** Statements whose prepared plan a schema change made unusable on this connection. */
  readonly #stale = new Set<string>();

  constructor(client: pg.PoolClient) {
    this.#client = client;
  }

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    sqlOrCursor: string | PostgresCursor<R>,
    parameters?: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof sqlOrCursor !== 'string') return this.#client.query(sqlOrCursor as never);
    // pg types `command` as any string; Kysely names the ones PostgreSQL sends. Same object.
    return this.#run(sqlOrCursor, parameters ? [...parameters] : []) as Promise<PostgresQueryResult<R>>;
  }

  async #run(text: string, values: unknown[]): Promise<pg.QueryResult> {
    const name = statementName(text);
    if (name === undefined || this.#stale.has(name)) return this.#client.query({ text, values });
    try {
      return await this.#client.query({ name, text, values });
    } catch (error) {
      if (!isStalePlan(error)) throw error;
      // Unnamed from now on, on this connection; inside a transaction the retry fails like the
      // statement did, and the transaction is rolled back as for any error.
      this.#stale.add(name);
      return this.#client.query({ text, values });
    }
  }

  release(destroy?: boolean): void {
    this.#client.release(destroy);
  }
}

/**
 * Runs every statement Kysely sends as a named prepared statement, so that PostgreSQL parses and
 * plans each one once per connection instead of at every call. Kysely builds the same text for the
 * same query, with the values as parameters, so the set of statements stays small.
 */
function preparingPool(pool: pg.Pool): PostgresPool {
  // Kysely keeps one connection object per client it is handed, so each client gets one wrapper.
  const wrappers = new WeakMap<pg.PoolClient, PreparingClient>();
  return {
    Client: pg.Client,
    options: pool.options,
    async connect() {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (!wrapper) {
        wrapper = new PreparingClient(client);
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}
