// A partner's transaction list uploaded as CSV (RFC 4180, one header row): the documented columns,
// and the check of every line before anything is loaded, so a malformed file is refused whole with
// the line and column of its first fault.
import { parse } from 'csv-parse/sync';
import { int8Max } from './arithmetic.ts';
import type { PartnerTransaction } from './partner-transaction.ts';
import { operationStatuses, type PartnerOperationName, partnerOperations } from './reconciliation.ts';

export const uploadColumns = ['key', 'operation', 'account_ref', 'points', 'status', 'at'] as const;

export const uploadRowsMax = 1_000_000;

/** Where a file is wrong: its 1-based line (the header is line 1) and the column's name. */
export class CsvUploadError extends Error {
  readonly line: number;
  readonly column: string | null;
  constructor(line: number, column: string | null, message: string) {
    super(`line ${line}${column ? `, column ${column}` : ''}: ${message}`);
    this.line = line;
    this.column = column;
  }
}

const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

interface NumberedRecord {
  record: string[];
  /** The line the record ends on (1-based; the header is line 1). */
  line: number;
}

function parseRecords(text: string): NumberedRecord[] {
  try {
    const parsed = parse(text, { bom: true, info: true, skip_empty_lines: true }) as unknown as {
      record: string[];
      info: { lines: number };
    }[];
    return parsed.map(({ record, info }) => ({ record, line: info.lines }));
  } catch (error) {
    const lines = (error as { lines?: number }).lines ?? 1;
    throw new CsvUploadError(lines, null, (error as Error).message.replace(/^Invalid [^:]*: /, ''));
  }
}

function rowOf(record: string[], line: number): PartnerTransaction {
  const [key = '', operation = '', accountRef = '', points = '', status = '', at = ''] = record;
  const fail = (column: (typeof uploadColumns)[number], message: string) => {
    throw new CsvUploadError(line, column, message);
  };
  if (key.length === 0 || key.length > 200) fail('key', 'must be 1 to 200 characters');
  if (!(partnerOperations as readonly string[]).includes(operation)) {
    fail('operation', `must be one of ${partnerOperations.join(', ')}`);
  }
  if (!/^\d{1,19}$/.test(points) || BigInt(points) > int8Max)
    fail('points', 'must be a whole number of points');
  const statuses = operationStatuses[operation as PartnerOperationName];
  if (!statuses.includes(status)) fail('status', `must be one of ${statuses.join(', ')} for a ${operation}`);
  if (!isoInstant.test(at) || Number.isNaN(Date.parse(at)))
    fail('at', 'must be an ISO 8601 instant with its offset');
  if (accountRef.length > 200) fail('account_ref', 'must be at most 200 characters');
  return {
    key,
    operation: operation as PartnerOperationName,
    accountRef: accountRef === '' ? null : accountRef,
    points: BigInt(points),
    status,
    at: new Date(at),
  };
}

/** Every row of the file, or a CsvUploadError naming the first fault's line and column. */
export function parseTransactionsCsv(text: string): PartnerTransaction[] {
  const [header, ...records] = parseRecords(text);
  if (!header || header.record.join(',') !== uploadColumns.join(',')) {
    throw new CsvUploadError(1, null, `the header must be exactly ${uploadColumns.join(',')}`);
  }
  if (records.length > uploadRowsMax) {
    throw new CsvUploadError(uploadRowsMax + 2, null, `at most ${uploadRowsMax} rows in one file`);
  }
  return records.map(({ record, line }) => rowOf(record, line));
}
