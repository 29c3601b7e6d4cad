// A file that holds what the first of several racing processes made (a key pair, a secret): each
// writes its own candidate to a file of its own and links it into place. link(2) creates the name
// only if it is absent and with the whole content already there, so exactly one candidate wins,
// every process reads that one, and none can read a half-written file or overwrite the winner.
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The file's content; when there is no file yet, `make()`'s content, kept readable by its owner only. */
export async function readOrCreateFile(file: string, make: () => Promise<string> | string): Promise<string> {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const candidate = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(candidate, await make(), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(candidate, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(candidate);
  }
  return readFileSync(file, 'utf8');
}
