// Where a settlement close spends its time, statement by statement: every query any pg client of
// this process sends is timed from the call until its rows are parsed (server time, the wire, pg's
// parsing and any wait for a busy event loop together), grouped by its text under the phase that
// was running. Bench-only instrumentation: one clock read and one map update per query.
import pg from 'pg';

export interface StatementTiming {
  phase: string;
  text: string;
  calls: number;
  totalMs: number;
  maxMs: number;
  rows: number;
  /** The parameters of its first call, to EXPLAIN it the same way. */
  firstValues: unknown[];
}

const timings = new Map<string, StatementTiming>();
let phase: string | null = null;

/** Queries are recorded under this phase from now on; null records nothing. */
export function recordQueriesAs(next: string | null): void {
  phase = next;
}

export function recordedQueries(): StatementTiming[] {
  return [...timings.values()];
}

type QueryConfig = { text?: string; values?: unknown[] };
type Query = (this: pg.Client, ...args: unknown[]) => unknown;

let installed = false;

/** Wraps pg.Client.prototype.query, once per process. */
export function installQueryRecorder(): void {
  if (installed) return;
  installed = true;
  const prototype = pg.Client.prototype as unknown as { query: Query };
  const original = prototype.query;
  prototype.query = function recordedQuery(this: pg.Client, ...args: unknown[]): unknown {
    const result = original.apply(this, args);
    const current = phase;
    if (current === null || !(result instanceof Promise)) return result;
    const first = args[0];
    const text = typeof first === 'string' ? first : ((first as QueryConfig).text ?? '');
    const values =
      typeof first === 'string' ? ((args[1] as unknown[]) ?? []) : ((first as QueryConfig).values ?? []);
    const begin = performance.now();
    result.then(
      (answer: { rowCount?: number | null }) => {
        const elapsed = performance.now() - begin;
        const key = `${current}\u0000${text}`;
        const timing = timings.get(key) ?? {
          phase: current,
          text,
          calls: 0,
          totalMs: 0,
          maxMs: 0,
          rows: 0,
          firstValues: values,
        };
        timing.calls += 1;
        timing.totalMs += elapsed;
        timing.maxMs = Math.max(timing.maxMs, elapsed);
        timing.rows += answer?.rowCount ?? 0;
        timings.set(key, timing);
      },
      () => {},
    );
    return result;
  };
}
