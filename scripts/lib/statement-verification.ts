// Checks a downloaded statement ({ statement, jws }) against the gateway's published keys: the JWS
// must verify, and its payload must be exactly the statement beside it. Used by
// `npm run verify-statement` and by the tests, so what partners run is what is tested.
import type { JSONWebKeySet } from 'jose';
import { verifyDocument } from '../../signing/documents.ts';

export type StatementCheck =
  | { ok: true; partnerId: string; cycleId: string; lines: number }
  | { ok: false; reason: string };

export async function checkStatement(fileText: string, keys: JSONWebKeySet): Promise<StatementCheck> {
  let file: { statement?: unknown; jws?: unknown };
  try {
    file = JSON.parse(fileText) as typeof file;
  } catch {
    return { ok: false, reason: 'the file is not JSON' };
  }
  if (typeof file.jws !== 'string' || typeof file.statement !== 'object' || file.statement === null) {
    return { ok: false, reason: 'the file holds no { statement, jws }' };
  }
  let signed: unknown;
  try {
    signed = await verifyDocument(file.jws, keys);
  } catch (error) {
    return { ok: false, reason: `the signature does not verify: ${(error as Error).message}` };
  }
  if (JSON.stringify(signed) !== JSON.stringify(file.statement)) {
    return { ok: false, reason: 'the statement differs from what the gateway signed' };
  }
  const statement = signed as { partnerId: string; cycleId: string; lines: unknown[] };
  return {
    ok: true,
    partnerId: statement.partnerId,
    cycleId: statement.cycleId,
    lines: statement.lines.length,
  };
}
