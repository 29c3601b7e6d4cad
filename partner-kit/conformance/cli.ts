#!/usr/bin/env node
// `npm run conformance -- --url <partner base URL> --partner-id <id> --account <test account> ...`
// (or `npx ./partner-kit ...`): runs the partner contract's rules against a loyalty system, signing
// as the gateway. One line per rule; exit 0 when every rule passed, 1 when one failed, 2 when the run
// could not start.
import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateSigningKeyPair, type SigningKeyPair } from '../../signing/keys.ts';
import { readGatewayKey } from './gateway-key.ts';
import { jsonReport } from './reporters/json.ts';
import { junitReport } from './reporters/junit.ts';
import { resultLine, summaryLine, textReport } from './reporters/text.ts';
import { conformanceRules } from './rules/index.ts';
import { ConformanceSetupError, runConformance } from './runner.ts';

const usage = `usage: points-alliance-conformance --url URL --partner-id ID --account REF --key FILE [options]

  --url URL            the partner system's base URL (what the gateway calls)
  --partner-id ID      the partner id the gateway gave the partner (its tokens' audience)
  --account REF        a test account with at least 100 points available
  --account-2 REF      an account whose balance may go to 9223372036854775807 and back (default: --account)
  --key FILE           required: the private key your test system trusts as the gateway's: a private JWK,
                       a private JWKS or a key pair file (never taken from the environment or the project)
  --issuer ISS         the issuer the gateway signs as (default: $GATEWAY_AUDIENCE, else points-alliance-gateway)
  --report FORMAT      the report written to --out: text (default), junit or json
  --out FILE           where the report goes (the lines are printed either way)
  --only NAME          run only this rule, or this group (e.g. idempotency); may be repeated
  --timeout-ms MS      how long one call may take (default 10000)
  --list               list the rules and exit
  --new-key FILE       write a new private key to FILE for a test system to trust as the gateway's,
                       print its public JWKS (what that system verifies with), and exit
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${usage}`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        url: { type: 'string' },
        'partner-id': { type: 'string' },
        account: { type: 'string' },
        'account-2': { type: 'string' },
        key: { type: 'string' },
        issuer: { type: 'string' },
        report: { type: 'string', default: 'text' },
        out: { type: 'string' },
        only: { type: 'string', multiple: true },
        'timeout-ms': { type: 'string', default: '10000' },
        list: { type: 'boolean', default: false },
        'new-key': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return fail((error as Error).message);
  }
})();

if (values.help) {
  process.stdout.write(usage);
  process.exit(0);
}
if (values.list) {
  for (const rule of conformanceRules) process.stdout.write(`${rule.name.padEnd(32)} ${rule.title}\n`);
  process.exit(0);
}
if (values['new-key']) {
  if (existsSync(values['new-key'])) fail(`${values['new-key']} exists already: a key is never overwritten`);
  const pair = await generateSigningKeyPair('ES256');
  writeFileSync(values['new-key'], `${JSON.stringify(pair.privateJwk, null, 2)}\n`, {
    mode: 0o600,
    flag: 'wx',
  });
  process.stdout.write(`${JSON.stringify({ keys: [pair.publicJwk] }, null, 2)}\n`);
  process.exit(0);
}
if (!values.url || !values['partner-id'] || !values.account)
  fail('--url, --partner-id and --account are needed');
if (!['text', 'junit', 'json'].includes(values.report))
  fail(`--report ${values.report}: text, junit or json`);
if (values.report !== 'text' && !values.out) fail(`--report ${values.report} needs --out FILE`);
const callTimeoutMs = Number(values['timeout-ms']);
if (!Number.isInteger(callTimeoutMs) || callTimeoutMs < 1)
  fail('--timeout-ms: a whole number of milliseconds');

/**
 * The key to sign with, named on the command line only: never one found in the environment or the
 * working directory, which could be the live gateway's key, trusted by every production system.
 */
async function gatewayKey(): Promise<SigningKeyPair> {
  if (!values.key) return fail('--key FILE: the private key your test system trusts as the gateway’s');
  try {
    return await readGatewayKey(values.key);
  } catch (error) {
    return fail((error as Error).message);
  }
}

try {
  const report = await runConformance(
    {
      url: values.url,
      partnerId: values['partner-id'],
      issuer: values.issuer ?? process.env.GATEWAY_AUDIENCE ?? 'points-alliance-gateway',
      gatewayKey: await gatewayKey(),
      accountRef: values.account,
      ...(values['account-2'] ? { secondAccountRef: values['account-2'] } : {}),
      callTimeoutMs,
      ...(values.only ? { only: values.only } : {}),
    },
    { onResult: (result) => process.stdout.write(`${resultLine(result)}\n`) },
  );
  process.stdout.write(`${summaryLine(report)}\n`);
  if (values.out) {
    const render = { text: textReport, junit: junitReport, json: jsonReport }[values.report as 'text'];
    writeFileSync(values.out, render(report));
    process.stdout.write(`${values.report} report written to ${values.out}\n`);
  }
  process.exitCode = report.passed ? 0 : 1;
} catch (error) {
  const reason = error instanceof ConformanceSetupError ? error.message : (error as Error).stack;
  process.stderr.write(`conformance could not run: ${reason}\n`);
  process.exitCode = 2;
}
