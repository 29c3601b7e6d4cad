// Migrations are frozen once they land: a database that ran one will never run it again, so an edit
// would leave deployed schemas and new ones apart without anyone noticing. Change the schema with a
// new migration instead. migrations/landed.sha256 lists every landed file with its SHA-256.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const folder = path.resolve(import.meta.dirname, '..', 'migrations');
const sha256 = (file: string) =>
  createHash('sha256')
    .update(readFileSync(path.join(folder, file)))
    .digest('hex');
const landed = new Map(
  readFileSync(path.join(folder, 'landed.sha256'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [hash, file] = line.split(/\s+\*?/);
      return [file ?? '', hash ?? ''] as const;
    }),
);
const onDisk = readdirSync(folder).filter((file) => file.endsWith('.ts'));

describe('landed migrations', () => {
  it.each([...landed.keys()])('%s is unchanged', (file) => {
    expect(onDisk, `${file} was removed or renamed`).toContain(file);
    expect(sha256(file), `${file} changed after it landed; write a new migration instead`).toBe(
      landed.get(file),
    );
  });

  it('are all listed, so that the next change to one is caught', () => {
    const unlisted = onDisk.filter((file) => !landed.has(file));
    const lines = unlisted.map((file) => `${sha256(file)}  ${file}`).join('\n');
    expect(unlisted, `add to migrations/landed.sha256 when the migration lands:\n${lines}`).toEqual([]);
  });
});
