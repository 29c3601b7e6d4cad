// The embedded PostgreSQL starts again after a crash, and a start that cannot succeed says why in
// PostgreSQL's own words. Real servers on free ports, in a data folder of this file's own.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../bench/lib/processes.ts';
import { failureCause, type RunningPostgres, startEmbeddedPostgres } from './embedded-postgres.ts';
import { createLogger } from './logger.ts';

const logger = createLogger('silent');
let dataDir: string;
/** Where startEmbeddedPostgres keeps the cluster inside dataDir. */
let databaseDir: string;

async function answers(server: RunningPostgres): Promise<boolean> {
  const client = new pg.Client({ connectionString: `${server.serverUrl}/postgres` });
  await client.connect();
  try {
    return (await client.query('select 1 as one')).rows[0].one === 1;
  } finally {
    await client.end();
  }
}

function lockFilePid(): number {
  return Number(readFileSync(path.join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

function replaceLockFilePid(pid: number): void {
  const lockFile = path.join(databaseDir, 'postmaster.pid');
  const [, ...rest] = readFileSync(lockFile, 'utf8').split('\n');
  writeFileSync(lockFile, [String(pid), ...rest].join('\n'));
}

/** The account the server runs as: the postgres user's when this process is root. */
function serverAccount(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** SIGKILLs the postmaster, as a crash of the whole stack does, and waits until it is gone. */
async function crash(server: RunningPostgres): Promise<void> {
  process.kill(lockFilePid(), 'SIGKILL');
  await server.stop();
}

beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'embedded-postgres-test-'));
  // Open to others: as root the server runs as the postgres user, which must reach the folder.
  chmodSync(dataDir, 0o755);
  databaseDir = path.join(dataDir, 'postgres');
});

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('startEmbeddedPostgres', () => {
  it('starts again after its server was killed, even when the dead pid now belongs to another program', async () => {
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dataDir, port, logger });
    await crash(first);

    const second = await startEmbeddedPostgres({ dataDir, port, logger });
    expect(await answers(second)).toBe(true);
    await crash(second);

    // After a restart the dead server's pid is often another program's, run by the same user (so
    // that PostgreSQL itself would take it for a live server and refuse to start).
    const other: ChildProcess = spawn('sleep', ['30'], { stdio: 'ignore', ...serverAccount() });
    try {
      replaceLockFilePid(other.pid ?? 0);
      const third = await startEmbeddedPostgres({ dataDir, port, logger });
      expect(await answers(third)).toBe(true);
      await crash(third);
    } finally {
      other.kill('SIGKILL');
    }

    // ... or another PostgreSQL server's, working in another data folder.
    const otherDataDir = mkdtempSync(path.join(tmpdir(), 'embedded-postgres-test-other-'));
    chmodSync(otherDataDir, 0o755);
    const otherServer = await startEmbeddedPostgres({
      dataDir: otherDataDir,
      port: await freePort(),
      logger,
    });
    try {
      const otherPid = Number(
        readFileSync(path.join(otherDataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0],
      );
      replaceLockFilePid(otherPid);
      const fourth = await startEmbeddedPostgres({ dataDir, port, logger });
      expect(await answers(fourth)).toBe(true);
      expect(await answers(otherServer)).toBe(true);
      await fourth.stop();
    } finally {
      await otherServer.stop();
      rmSync(otherDataDir, { recursive: true, force: true });
    }
  });

  it('leaves the lock file of a live server alone and says that the server runs', async () => {
    const running = await startEmbeddedPostgres({ dataDir, port: await freePort(), logger });
    try {
      const pid = lockFilePid();
      await expect(startEmbeddedPostgres({ dataDir, port: await freePort(), logger })).rejects.toThrow(
        `a PostgreSQL server (pid ${pid}) is already running on the data folder`,
      );
      expect(lockFilePid()).toBe(pid);
      expect(await answers(running)).toBe(true);
    } finally {
      await running.stop();
    }
  });

  it("rejects with PostgreSQL's own line when its port is taken", async () => {
    const port = await freePort();
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const start = startEmbeddedPostgres({ dataDir, port, logger });
      await expect(start).rejects.toThrow(Error);
      await expect(start).rejects.toThrow(
        /^PostgreSQL exited with code 1: could not bind IPv4 address "127\.0\.0\.1": Address already in use/,
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

describe('failureCause', () => {
  it('keeps the FATAL line with its hint, and a failed bind logged before it', () => {
    const lines = [
      '2026-01-01 00:00:00.000 UTC [10] LOG:  starting PostgreSQL 18.4',
      '2026-01-01 00:00:00.000 UTC [10] LOG:  could not bind IPv4 address "127.0.0.1": Address already in use',
      '2026-01-01 00:00:00.000 UTC [10] HINT:  Is another postmaster already running on port 5432?',
      '2026-01-01 00:00:00.000 UTC [10] WARNING:  could not create listen socket for "127.0.0.1"',
      '2026-01-01 00:00:00.000 UTC [10] FATAL:  could not create any TCP/IP sockets',
      '2026-01-01 00:00:00.000 UTC [10] LOG:  database system is shut down',
    ];
    expect(failureCause(lines)).toBe(
      'could not bind IPv4 address "127.0.0.1": Address already in use (Is another postmaster already running on port 5432?); could not create any TCP/IP sockets',
    );
  });

  it("reads initdb's errors, and finds nothing in ordinary output", () => {
    expect(
      failureCause(['initdb: error: directory "/x" exists but is not empty', 'initdb: hint: remove it']),
    ).toBe('directory "/x" exists but is not empty (remove it)');
    expect(failureCause(['LOG:  database system is ready to accept connections'])).toBeNull();
  });
});
