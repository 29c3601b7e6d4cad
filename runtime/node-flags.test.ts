// Every way the product starts a service passes the V8 flags runtime/node-flags.ts lists for it,
// so the benchmarks (which start processes with that list) measure what runs in production.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { serviceNodeFlags } from './node-flags.ts';
import { projectDir } from './project-dir.ts';

const read = (file: string) => readFileSync(path.join(projectDir, file), 'utf8');
// A flow list the formatter spread over lines (docker-compose.yml), back on one line as written by hand.
const oneLineLists = (text: string) =>
  text.replace(
    /\[\s*([^\]]*?),?\s*\]/g,
    (_, items: string) =>
      `[${items
        .split(/,\s*/)
        .map((item) => item.trim())
        .join(', ')}]`,
  );
const packageScripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

describe.each(Object.entries(serviceNodeFlags))('the V8 flags of %s', (script, flags) => {
  const words = [...flags, script];
  it('are in its package.json script', () => {
    expect(Object.values(packageScripts)).toContain(`node ${words.join(' ')}`);
  });
  it('are in the Dockerfile and docker-compose.yml wherever it is started', () => {
    const quoted = `["node", ${words.map((word) => `"${word}"`).join(', ')}]`;
    const starts = ['Dockerfile', 'docker-compose.yml'].flatMap((file) =>
      oneLineLists(read(file))
        .split('\n')
        .filter((line) => line.includes(`"${script}"`))
        .map((line) => ({ file, line })),
    );
    expect(starts.length).toBeGreaterThan(0);
    for (const { file, line } of starts) expect(line, file).toContain(quoted);
  });
});
