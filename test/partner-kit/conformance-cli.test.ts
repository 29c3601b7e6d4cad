// The conformance command as a partner engineer runs it: a process of its own, the gateway's key in
// a file, one printed line per rule, the exit code, and the JUnit and JSON reports it writes.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { conformanceRules } from '../../partner-kit/conformance/rules/index.ts';
import type { ConformanceReport } from '../../partner-kit/conformance/runner.ts';
import { generateSigningKeyPair } from '../../signing/keys.ts';
import { useTestDatabase } from '../support/database.ts';
import { type ConformancePartner, startConformancePartner } from './conformance-partners.ts';

const db = useTestDatabase(5);
const gatewayKey = await generateSigningKeyPair('ES256');
const folder = mkdtempSync(path.join(tmpdir(), 'conformance-'));
// The gateway's private JWK alone, as an operator would hand it over.
const keyFile = path.join(folder, 'gateway.jwk.json');
writeFileSync(keyFile, JSON.stringify(gatewayKey.privateJwk));
const cli = path.resolve(import.meta.dirname, '../../partner-kit/conformance/cli.ts');
/** The package's bin, as npx runs it. */
const bin = path.resolve(import.meta.dirname, '../../partner-kit/bin/points-alliance-conformance.js');
const run = promisify(execFile);

async function conformance(partner: ConformancePartner, ...extra: string[]) {
  const { target } = partner;
  return command([
    ...['--url', target.url, '--partner-id', target.partnerId, '--key', keyFile],
    ...['--account', target.accountRef, '--account-2', target.secondAccountRef ?? target.accountRef],
    ...extra,
  ]);
}

async function command(args: string[], entry = cli, env: NodeJS.ProcessEnv = process.env) {
  try {
    const { stdout, stderr } = await run(process.execPath, [entry, ...args], { timeout: 60_000, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run conformance', () => {
  it('prints a pass line per rule, exits 0, and writes a JUnit report a CI can read', async () => {
    const partner = await startConformancePartner(db, gatewayKey);
    const out = path.join(folder, 'sound.xml');

    const run = await conformance(partner, '--report', 'junit', '--out', out);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines.slice(0, conformanceRules.length).map((line) => line.split(/\s+/).slice(0, 2))).toEqual(
      conformanceRules.map((rule) => ['pass', rule.name]),
    );
    expect(lines).toContain(`junit report written to ${out}`);
    expect(run.stdout).toMatch(new RegExp(`^${conformanceRules.length} passed, 0 failed in `, 'm'));
    const xml = readFileSync(out, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const suite = new XMLParser({ ignoreAttributes: false }).parse(xml).testsuites.testsuite;
    expect(suite['@_tests']).toBe(String(conformanceRules.length));
    expect(suite['@_failures']).toBe('0');
    expect(suite.testcase.map((testcase: Record<string, string>) => testcase['@_name'])).toEqual(
      conformanceRules.map((rule) => rule.name),
    );
  });

  it('exits 1 against a partner that applies a key twice, names the rule, and writes it in the JSON report', async () => {
    const partner = await startConformancePartner(db, gatewayKey, 'applies_twice');
    const out = path.join(folder, 'broken.json');

    const run = await conformance(partner, '--report', 'json', '--out', out);

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^FAIL {2}idempotency\.credit +the repeat of the credit moved the balance again/m,
    );
    expect(run.stdout).toMatch(/^pass {2}idempotency\.reserve /m);
    expect(run.stdout).toMatch(
      /^\d+ passed, [12] failed \(idempotency\.credit(, idempotency\.concurrent_credit)?\)/m,
    );
    const report = JSON.parse(readFileSync(out, 'utf8')) as ConformanceReport;
    expect(report.passed).toBe(false);
    expect(report.target.partnerId).toBe(partner.target.partnerId);
    expect(report.results.filter((result) => !result.passed).map((result) => result.name)).toContain(
      'idempotency.credit',
    );
  });

  it('writes JUnit that stays well-formed whatever the partner answered', async () => {
    const partner = await startConformancePartner(db, gatewayKey, 'accepts_unsigned');
    const out = path.join(folder, 'unsigned.xml');

    const run = await conformance(partner, '--only', 'signature', '--report', 'junit', '--out', out);

    expect(run.code).toBe(1);
    const xml = readFileSync(out, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const cases = new XMLParser({ ignoreAttributes: false }).parse(xml).testsuites.testsuite.testcase;
    const unsigned = cases.find(
      (testcase: Record<string, string>) => testcase['@_name'] === 'signature.unsigned_refused',
    );
    expect(unsigned.failure['@_message']).toMatch(/unsigned credit: 201/);
  });

  it('exits 2 without running a rule when it cannot start', async () => {
    const partner = await startConformancePartner(db, gatewayKey);

    const unknown = await conformance(partner, '--account', 'nobody');
    const usage = await conformance(partner, '--report', 'junit');

    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(/account nobody is unknown to the partner/);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--report junit needs --out FILE/);

    // A key found in the environment is not taken: it could be the live gateway's.
    const { target } = partner;
    const unnamed = await command(
      ['--url', target.url, '--partner-id', target.partnerId, '--account', target.accountRef],
      cli,
      { ...process.env, GATEWAY_PRIVATE_JWKS: JSON.stringify({ keys: [gatewayKey.privateJwk] }) },
    );
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toMatch(/--key FILE/);
  });

  it('makes a key for a test system to trust as the gateway, and signs with it (through the package bin)', async () => {
    const newKey = path.join(folder, 'test-gateway.jwk.json');
    const made = await command(['--new-key', newKey], bin);
    expect(made.code).toBe(0);
    const jwks = JSON.parse(made.stdout) as { keys: JWK[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).not.toHaveProperty('d');
    const partner = await startConformancePartner(db, gatewayKey, undefined, () => jwks.keys);
    const { target } = partner;

    const signed = await command(
      [
        ...['--url', target.url, '--partner-id', target.partnerId, '--key', newKey],
        ...['--account', target.accountRef, '--only', 'signature'],
      ],
      bin,
    );

    expect(signed.stderr).toBe('');
    expect(signed.stdout).toMatch(/^3 passed, 0 failed in /m);
    expect(signed.code).toBe(0);
    expect((await command(['--new-key', newKey], bin)).stderr).toMatch(/exists already/);
  });
});
