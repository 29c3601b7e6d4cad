// Checks a downloaded statement ({ statement, jws }) against the gateway's published keys: the JWS
// must verify, and its payload must be exactly the statement beside it. Given its lines
// ({ statementLines, jws }), checks them the same way, that they are this statement's (its digest)
// and that they add up to its figures; given its CSV, that the CSV is those lines, row for row (or,
// without the signed lines, that it adds up to the statement's figures). Used by
// `npm run verify-statement` and by the tests, so what partners run is what is tested.
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import type { JSONWebKeySet } from 'jose';
import {
  checkLinesAgainstStatement,
  type StatementDocument,
  type StatementLine,
  type StatementLinesDocument,
  statementCsvColumns,
} from '../../domain/settlement-statement.ts';
import { verifyDocument } from '../../signing/documents.ts';

export type StatementCheck =
  | { ok: true; partnerId: string; cycleId: string; lines: number; checked: string[] }
  | { ok: false; reason: string };

class Failed extends Error {}

/** The document a `{ [field]: document, jws }` file carries, once the JWS verifies and matches it. */
async function signedDocument<T>(
  fileText: string,
  field: string,
  type: string,
  keys: JSONWebKeySet,
): Promise<{ document: T; payload: Buffer }> {
  let file: Record<string, unknown>;
  try {
    file = JSON.parse(fileText) as typeof file;
  } catch {
    throw new Failed(`the ${type} file is not JSON`);
  }
  const document = file[field];
  if (typeof file.jws !== 'string' || typeof document !== 'object' || document === null) {
    throw new Failed(`the ${type} file holds no { ${field}, jws }`);
  }
  let signed: unknown;
  try {
    signed = await verifyDocument(file.jws, keys);
  } catch (error) {
    throw new Failed(`the ${type}'s signature does not verify: ${(error as Error).message}`);
  }
  if (JSON.stringify(signed) !== JSON.stringify(document)) {
    throw new Failed(`the ${type} differs from what the gateway signed`);
  }
  if ((signed as { type?: unknown }).type !== type) throw new Failed(`the file is not a ${type}`);
  return { document: signed as T, payload: Buffer.from(file.jws.split('.')[1] ?? '', 'base64url') };
}

function csvLines(csvText: string): StatementLine[] {
  let rows: string[][];
  try {
    rows = parse(csvText) as string[][];
  } catch (error) {
    throw new Failed(`the CSV does not parse: ${(error as Error).message}`);
  }
  const [header, ...records] = rows;
  if (JSON.stringify(header) !== JSON.stringify(statementCsvColumns)) {
    throw new Failed(`the CSV's header is not ${statementCsvColumns.join(',')}`);
  }
  return records.map(
    (record) =>
      Object.fromEntries(
        statementCsvColumns.map((column, index) => [column, record[index]]),
      ) as unknown as StatementLine,
  );
}

export async function checkStatement(
  fileText: string,
  keys: JSONWebKeySet,
  more: { linesText?: string; csvText?: string } = {},
): Promise<StatementCheck> {
  try {
    const { document: statement, payload } = await signedDocument<StatementDocument>(
      fileText,
      'statement',
      'settlement-statement',
      keys,
    );
    const checked = ['statement'];
    let signedLines: StatementLine[] | null = null;
    if (more.linesText !== undefined) {
      const { document: lines } = await signedDocument<StatementLinesDocument>(
        more.linesText,
        'statementLines',
        'settlement-statement-lines',
        keys,
      );
      if (lines.statementSha256 !== createHash('sha256').update(payload).digest('base64url')) {
        throw new Failed('the lines are not this statement’s (its digest differs)');
      }
      const mismatch = checkLinesAgainstStatement(statement, lines);
      if (mismatch) throw new Failed(mismatch);
      signedLines = lines.lines;
      checked.push('lines');
    }
    if (more.csvText !== undefined) {
      const rows = csvLines(more.csvText);
      if (signedLines) {
        if (JSON.stringify(rows) !== JSON.stringify(signedLines)) {
          throw new Failed('the CSV differs from the signed lines');
        }
      } else {
        const mismatch = checkLinesAgainstStatement(statement, {
          partnerId: statement.partnerId,
          cycleId: statement.cycleId,
          lines: rows,
        });
        if (mismatch) throw new Failed(`the CSV: ${mismatch}`);
      }
      checked.push('csv');
    }
    return {
      ok: true,
      partnerId: statement.partnerId,
      cycleId: statement.cycleId,
      lines: Number(statement.lineCount),
      checked,
    };
  } catch (error) {
    if (error instanceof Failed) return { ok: false, reason: error.message };
    throw error;
  }
}
