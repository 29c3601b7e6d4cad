// `npm run chaos -- --transfers 2000`: the crash test at scale. Runs the gateway, the worker and two
// reference partner systems as processes of their own, sends quoted and inline transfers while
// partner faults are armed at random and the gateway and worker are SIGKILLed and restarted, retries
// every lost answer with its key, then checks that each key made at most one transfer, every transfer
// ended, balances and holds agree with the transfers, and the ledger sums to zero. Exits 1 on any
// failed check. Uses DATABASE_URL's server (or an embedded one) and TEMPORAL_ADDRESS (or a dev server).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildGateway } from '../bench/lib/processes.ts';
import { ensurePostgres, ensureTemporal } from '../runtime/local-services.ts';
import { createLogger } from '../runtime/logger.ts';
import { projectDir } from '../runtime/project-dir.ts';
import { createDatabase } from '../store/connection.ts';
import { dropDatabase, ensureDatabase, withDatabase } from '../store/database-url.ts';
import { migrateToLatest } from '../store/migrator.ts';
import { formatReport } from '../test/chaos/report.ts';
import { runChaos } from '../test/chaos/run.ts';

const { values } = parseArgs({
  options: {
    transfers: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '6' },
    kills: { type: 'string' },
    members: { type: 'string' },
    seed: { type: 'string' },
    'keep-database': { type: 'boolean', default: false },
  },
});
const whole = (name: string, text: string | undefined, min: number, max: number): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    process.stderr.write(`--${name} must be a whole number from ${min} to ${max}\n`);
    process.exit(2);
  }
  return value;
};
const transfers = whole('transfers', values.transfers, 1, 100_000);
const options = {
  transfers,
  concurrency: whole('concurrency', values.concurrency, 1, 64),
  kills: whole('kills', values.kills ?? String(Math.max(3, Math.round(transfers / 150))), 0, 1_000),
  members: whole('members', values.members ?? String(Math.max(30, Math.round(transfers / 10))), 1, 10_000),
  seed: whole('seed', values.seed ?? String(Date.now() % 2_147_483_647), 0, 2_147_483_647),
};

// Ctrl-C ends the run: the servers started here are stopped and the run's database dropped; the
// gateway, worker and partner processes are killed on the way out (bench/lib/processes.ts).
const teardown: (() => Promise<void>)[] = [];
async function tearDown(): Promise<void> {
  for (const step of teardown.splice(0).reverse()) await step().catch(() => undefined);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    void tearDown().finally(() => process.exit(130));
  });

const logger = createLogger(process.env.LOG_LEVEL ?? 'warn', 'chaos');
const say = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const dataDir = path.join(projectDir, '.data', 'chaos');
// The gateway it kills and restarts is the compiled one production runs (npm run gateway).
buildGateway();
const postgres = await ensurePostgres({
  databaseUrl: process.env.DATABASE_URL,
  dataDir: path.join(dataDir, 'postgres'),
  embeddedPort: 54369,
  logger,
});
teardown.push(() => postgres.stop());
const temporal = await ensureTemporal({
  address: process.env.TEMPORAL_ADDRESS,
  cliPath: process.env.TEMPORAL_CLI_PATH,
  namespace: 'default',
  logger,
});
teardown.push(() => temporal.stop());
const databaseUrl = withDatabase(postgres.address, `alliance_chaos_${Date.now()}`);
await ensureDatabase(databaseUrl);
if (!values['keep-database']) teardown.push(() => dropDatabase(databaseUrl));
const db = createDatabase({ url: databaseUrl, poolSizeMax: 2 });
await migrateToLatest(db);
await db.destroy();

say(
  `chaos: ${options.transfers} transfers, ${options.kills} kills, ${options.members} members, concurrency ${options.concurrency}, seed ${options.seed}`,
);
let exitCode = 1;
try {
  const report = await runChaos({
    ...options,
    databaseUrl,
    temporalAddress: temporal.address,
    faultIntervalMs: 300,
    answerTimeoutMs: 5 * 60_000,
    settleDeadlineMs: 5 * 60_000,
    progressEveryMs: 5_000,
    log: say,
    logDir: path.join(dataDir, `run-${options.seed}`),
  });
  process.stdout.write(`${formatReport(report)}\n`);
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, `report-${options.seed}.json`);
  writeFileSync(
    file,
    `${JSON.stringify(report, (_, value) => (typeof value === 'bigint' ? String(value) : value), 2)}\n`,
  );
  say(`every problem is listed in ${path.relative(projectDir, file)}`);
  exitCode = report.ok ? 0 : 1;
} catch (error) {
  process.stderr.write(`chaos run stopped: ${(error as Error).stack ?? String(error)}\n`);
} finally {
  if (values['keep-database']) say(`database kept: ${databaseUrl}`);
  await tearDown();
}
process.exit(exitCode);
