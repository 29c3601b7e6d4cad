// What an error no handler expected becomes: a refusal the caller can act on when it is one (a
// body that is not JSON, a number past its column, a database that is down), otherwise a 500 that
// says nothing of the cause.
import { HTTPException } from 'hono/http-exception';
import { ProblemError } from '../domain/errors.ts';

// Node's socket errors, and PostgreSQL's SQLSTATEs for a server that is going away or full:
// class 08 (connection exception), 57P01–57P03 (shutting down, starting up), 53300 (too many
// connections).
const unavailableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE']);
const unavailableStates = /^(08...|57P0[123]|53300)$/;
// node-postgres reports a dropped connection and a pool wait that timed out with messages only.
const unavailableMessages = /Connection terminated|timeout exceeded when trying to connect/i;

function isDatabaseUnavailable(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (unavailableCodes.has(code) || unavailableStates.test(code))) return true;
  return unavailableMessages.test(error.message);
}

// SQLSTATE 22003: a figure the request led to (a balance after a credit, a quoted credit) does not
// fit its bigint column. The statement failed, so nothing took effect: the request is refused. The
// use case should have refused it first; onError logs it so that the missing check gets written.
const numericValueOutOfRange = '22003';

/** Whether the database refused a value the request led to, rather than failing on its own. */
export function isOutOfRange(error: Error): boolean {
  return (error as { code?: unknown }).code === numericValueOutOfRange;
}

export function translateError(error: Error): ProblemError {
  if (error instanceof ProblemError) return error;
  if (error instanceof HTTPException && error.status === 400 && /JSON/i.test(error.message)) {
    return new ProblemError('malformed_json', 'The request body could not be parsed as JSON.');
  }
  if (isOutOfRange(error)) {
    return new ProblemError(
      'amount_out_of_range',
      'An amount this request leads to is larger than the ledger can hold.',
    );
  }
  if (isDatabaseUnavailable(error)) {
    return new ProblemError('dependency_unavailable', 'The database is unavailable; retry shortly.');
  }
  return new ProblemError(
    'internal_error',
    'Something went wrong on our side; the request id helps us find it.',
  );
}
