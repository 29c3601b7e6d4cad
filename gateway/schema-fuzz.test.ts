// The schema fuzzer: Schemathesis generates requests from the gateway's own OpenAPI document, valid
// and invalid, signs each as a partner (or as the operator on /v1/operator) and checks that no answer
// is a 5xx, that every status, media type and body is the one documented for its operation, that a
// request the schema refuses is refused, and that a method a path lacks is a 405 with Allow.
// Method: a real gateway on a free port over a database of its own, a signing sidecar for the Python
// hooks (test/fuzz/schemathesis_signing.py), and the Schemathesis CLI that scripts/setup.sh installs.
//
// Partner and operator routes are fuzzed in two runs: in one run, the operator's routes would
// suspend the very partner whose key signs the rest, and every later request would be a 401. For the
// same reason the fuzzed gateway has a database of its own: over the shared test database, the
// operator's routes suspended partners of the test files running beside it (their requests then
// answered 401 partner_suspended).
//
// The CI run is bounded by time (FUZZ_MAX_TIME_SECONDS per run) and examples per operation
// (FUZZ_MAX_EXAMPLES). A longer run:
//   FUZZ_MAX_EXAMPLES=1000 FUZZ_MAX_TIME_SECONDS=900 npx vitest run gateway/schema-fuzz.test.ts
// FUZZ_SEED repeats a run; the JUnit report and the status of every request are in .data/schemathesis/.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectDir } from '../runtime/project-dir.ts';
import { agreeRate, linkMember, type ProgramOwner } from '../test/support/exchange.ts';
import { createTestGateway } from '../test/support/gateway.ts';
import { startSigningSidecar } from '../test/support/signing-sidecar.ts';
import { listenGateway } from './http-server.ts';

const schemathesisBin = path.join(projectDir, '.tools', 'venv', 'bin', 'schemathesis');
const hooksModule = path.join(projectDir, 'test', 'fuzz', 'schemathesis_signing.py');
const reportRoot = path.join(projectDir, '.data', 'schemathesis');
const maxExamples = Number(process.env.FUZZ_MAX_EXAMPLES ?? 40);
const maxTimeSeconds = Number(process.env.FUZZ_MAX_TIME_SECONDS ?? 50);
const seed = process.env.FUZZ_SEED ?? String(Math.floor(Math.random() * 2 ** 31));

// Two partners, a member linked to both and a rate between them: ids the hooks put in requests.
const gateway = await createTestGateway({ worker: true, ownDatabase: 'schema_fuzz' });
const coffee = await gateway.onboardPartner('Fuzz Coffee', undefined, { ledger: 'hosted' });
const airline = await gateway.onboardPartner('Fuzz Airline');
const owners = [coffee, airline].map(({ partner, signer }) => ({
  signer,
  programId: partner.programs[0]?.id ?? '',
}));
const [coffeeProgram, airlineProgram] = owners as [ProgramOwner, ProgramOwner];
const memberId = await linkMember(gateway, owners);
const agreement = await agreeRate(gateway, coffeeProgram, airlineProgram, {
  fromPoints: '10',
  toPoints: '7',
  sourcePointsMin: '1',
  sourcePointsMax: '100000',
  memberDailyCapSourcePoints: '1000000',
});
const server = await listenGateway(gateway.app, { hostname: '127.0.0.1', port: 0 });
afterAll(() => server.close());
const sidecar = await startSigningSidecar((requestPath) =>
  requestPath.startsWith('/v1/operator/') ? gateway.operator : coffee.signer,
);
afterAll(() => sidecar.close());

interface FuzzRun {
  exitCode: number | null;
  output: string;
  /** `METHOD /path/{template} status`, one per request sent. */
  requests: string[];
}

/** Runs the CLI without blocking this process: the gateway under test answers from its event loop. */
function runSchemathesis(
  name: string,
  filter: string[],
  knownIds: Partial<Record<string, string[]>>,
): Promise<FuzzRun> {
  const reportDir = path.join(reportRoot, name);
  rmSync(reportDir, { recursive: true, force: true });
  mkdirSync(reportDir, { recursive: true });
  const statusLog = path.join(reportDir, 'statuses.log');
  const args = [
    'run',
    `${server.url}/openapi.json`,
    '--url',
    server.url,
    ...filter,
    '--checks',
    'not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance,unsupported_method,allow_header_conformance,missing_required_header,negative_data_rejection',
    '--max-examples',
    String(maxExamples),
    '--max-time',
    String(maxTimeSeconds),
    '--seed',
    seed,
    '--workers',
    '2',
    '--generation-database',
    'none',
    // Our own signature goes on every request; a generated Authorization would only be replaced.
    '--generation-with-security-parameters',
    'false',
    '--request-timeout',
    '15',
    '--no-color',
    '--report',
    'junit',
    '--report-dir',
    reportDir,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(schemathesisBin, args, {
      // Schemathesis keeps a cache folder in its working directory; keep it out of the tree.
      cwd: reportDir,
      env: {
        ...process.env,
        SCHEMATHESIS_HOOKS: 'schemathesis_signing',
        PYTHONPATH: path.dirname(hooksModule),
        PYTHONDONTWRITEBYTECODE: '1',
        FUZZ_SIGNER_URL: sidecar.url,
        FUZZ_STATUS_LOG: statusLog,
        FUZZ_KNOWN_IDS: JSON.stringify(knownIds),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      const requests = existsSync(statusLog) ? readFileSync(statusLog, 'utf8').trim().split('\n') : [];
      resolve({ exitCode, output, requests: requests.filter(Boolean) });
    });
  });
}

function summarise(name: string, run: FuzzRun): { summary: string; unsigned: number } {
  const byStatus = new Map<string, number>();
  for (const line of run.requests) {
    const status = line.split(' ').at(-1) ?? '?';
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  }
  const counts = JSON.stringify(Object.fromEntries([...byStatus].sort()));
  return {
    summary: `schema fuzzer, ${name} routes, seed ${seed}: ${run.requests.length} requests, by status ${counts}`,
    unsigned: byStatus.get('401') ?? 0,
  };
}

const runs = [
  {
    name: 'partner',
    filter: ['--exclude-path-regex', '^/v1/operator/'],
    knownIds: {
      prg: owners.map((owner) => owner.programId),
      mbr: [memberId],
      agr: [agreement.agreementId],
    },
  },
  {
    name: 'operator',
    filter: ['--include-path-regex', '^/v1/operator/'],
    // Not the partner that signs the partner run: this run suspends partners and retires keys.
    knownIds: { ptn: [airline.partner.id] },
  },
];

describe('schema fuzzer', () => {
  it.each(runs)(
    'answers generated requests to $name routes with documented statuses and bodies, never a 5xx',
    async ({ name, filter, knownIds }) => {
      expect(existsSync(schemathesisBin), 'Schemathesis is missing: run npm run setup').toBe(true);
      const run = await runSchemathesis(name, filter, knownIds);
      const { summary, unsigned } = summarise(name, run);
      console.info(summary);
      expect(run.exitCode, `${summary}\n${run.output}`).toBe(0);
      expect(run.requests.length, summary).toBeGreaterThan(100);
      // A run where most requests bounced off the signature check would prove little.
      expect(unsigned, summary).toBeLessThan(run.requests.length / 4);
    },
    (maxTimeSeconds + 60) * 1000,
  );
});
