import { readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger.ts';
import { errorCode } from './binaries.ts';

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
export function removeStaleLockFile(databaseDir: string, logger: Logger): void {
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
