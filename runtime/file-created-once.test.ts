// Processes that start at once and each need the same kept secret or key pair must all end up with
// the one the first of them made: real processes, racing on a fresh file.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readOrCreateFile } from './file-created-once.ts';
import { projectDir } from './project-dir.ts';

const run = promisify(execFile);

describe('readOrCreateFile', () => {
  it('keeps a file that is there, and makes one readable by its owner only when there is none', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'created-once-'));
    const kept = path.join(dir, 'kept');
    writeFileSync(kept, 'first\n');
    expect(await readOrCreateFile(kept, () => 'second\n')).toBe('first\n');
    const made = path.join(dir, 'nested', 'made');
    expect(await readOrCreateFile(made, () => 'made\n')).toBe('made\n');
    expect(statSync(made).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.dirname(made))).toEqual(['made']);
  });

  it('gives every one of racing processes the content the winner made', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'created-once-race-'));
    const file = path.join(dir, 'keys', 'secret');
    const script = `
      import { readOrCreateFile } from ${JSON.stringify(path.join(projectDir, 'runtime', 'file-created-once.ts'))};
      import { randomUUID } from 'node:crypto';
      const at = Number(process.argv[1]);
      while (Date.now() < at) {}
      process.stdout.write(await readOrCreateFile(${JSON.stringify(file)}, () => randomUUID()));`;
    // Each process waits for the same instant, so that they reach the file together.
    const at = String(Date.now() + 3_000);
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        run(process.execPath, ['--input-type=module', '-e', script, at]).then((result) => result.stdout),
      ),
    );
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toBe(readFileSync(file, 'utf8'));
    expect(readdirSync(path.dirname(file))).toEqual(['secret']);
  });
});
