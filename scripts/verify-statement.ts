// `npm run verify-statement -- FILE [--lines FILE] [--csv FILE] [--jwks URL|FILE]`: verifies a
// settlement statement downloaded from GET /v1/settlement/cycles/{cycleId}/statement against the
// gateway's public keys (by default those the running gateway publishes at /.well-known/jwks.json;
// a saved copy works offline), and with it, when given, its signed lines (…/statement/lines) and
// its CSV (…/statement.csv).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { JSONWebKeySet } from 'jose';
import { request } from 'undici';
import { loadConfig } from '../runtime/config.ts';
import { checkStatement } from './lib/statement-verification.ts';

const { values, positionals } = parseArgs({
  options: { jwks: { type: 'string' }, lines: { type: 'string' }, csv: { type: 'string' } },
  allowPositionals: true,
});
const [file] = positionals;
if (!file) {
  process.stderr.write(
    'usage: npm run verify-statement -- FILE [--lines FILE] [--csv FILE] [--jwks URL|FILE]\n',
  );
  process.exit(2);
}
const source = values.jwks ?? `http://127.0.0.1:${loadConfig().PORT}/.well-known/jwks.json`;
const keys = (
  /^https?:\/\//.test(source)
    ? await (await request(source, { headersTimeout: 5_000, bodyTimeout: 5_000 })).body.json()
    : JSON.parse(readFileSync(source, 'utf8'))
) as JSONWebKeySet;
const check = await checkStatement(readFileSync(file, 'utf8'), keys, {
  ...(values.lines ? { linesText: readFileSync(values.lines, 'utf8') } : {}),
  ...(values.csv ? { csvText: readFileSync(values.csv, 'utf8') } : {}),
});
if (check.ok) {
  process.stdout.write(
    `ok: the statement of ${check.partnerId} for cycle ${check.cycleId} (${check.lines} lines) is signed by the gateway; checked: ${check.checked.join(', ')}\n`,
  );
} else {
  process.stdout.write(`FAILED: ${check.reason}\n`);
  process.exit(1);
}
