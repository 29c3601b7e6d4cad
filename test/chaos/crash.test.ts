// The crash test, small enough for CI: partners' integrations send quoted and inline transfers
// while partner faults are armed at random and the gateway and the worker (separate processes) are
// SIGKILLed, separately and together, with requests in flight; every lost answer is retried with its
// key. Afterwards each key has made at most one transfer, every transfer has ended, balances and
// holds agree with the transfers, and the ledger sums to zero. `npm run chaos` runs the same at scale.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../../store/connection.ts';
import { dropDatabase, ensureDatabase, withDatabase } from '../../store/database-url.ts';
import { migrateToLatest } from '../../store/migrator.ts';
import { formatReport } from './report.ts';
import { runChaos } from './run.ts';

// A database of its own: the ledger check and the transfer lists then see only this run.
const databaseUrl = withDatabase(inject('databaseServerUrl'), `alliance_chaos_${process.pid}_${Date.now()}`);
await ensureDatabase(databaseUrl);
const db = createDatabase({ url: databaseUrl, poolSizeMax: 2 });
await migrateToLatest(db);
await db.destroy();
afterAll(() => dropDatabase(databaseUrl));

describe('crashes under load', () => {
  it('moves points once per key through SIGKILLs of the gateway and the worker', {
    timeout: 12 * 60_000,
  }, async () => {
    const logDir = mkdtempSync(path.join(tmpdir(), 'alliance-chaos-'));
    const report = await runChaos({
      databaseUrl,
      temporalAddress: inject('temporalAddress'),
      transfers: Number(process.env.CHAOS_TRANSFERS ?? 200),
      concurrency: 6,
      kills: 3,
      members: 40,
      seed: Number(process.env.CHAOS_SEED ?? Date.now() % 2_147_483_647),
      faultIntervalMs: 300,
      answerTimeoutMs: 3 * 60_000,
      settleDeadlineMs: 3 * 60_000,
      progressEveryMs: 15_000,
      log: (line) => console.log(`chaos: ${line}`),
      logDir,
    });
    // The services' output is kept only when something failed.
    if (report.ok) rmSync(logDir, { recursive: true, force: true });
    console.log(formatReport({ ...report, logDir: report.ok ? null : logDir }));
    expect(
      report.checks.filter((check) => !check.ok).map((check) => `${check.name}: ${check.problems[0]}`),
    ).toEqual([]);
  });
});
