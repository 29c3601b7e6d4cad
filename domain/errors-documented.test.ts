// Every problem code a partner can be answered with is in docs/partner-integration.md's table, in the
// row of its status: the table is what partners switch on, so a code added without it fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ProblemCode, problemCatalog } from './errors.ts';

/** The Errors table as the catalog gives it: one row per status, the codes in the catalog's order. */
function errorsTable(): string {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const [code, { status }] of Object.entries(problemCatalog) as [ProblemCode, { status: number }][]) {
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const rows = [...byStatus.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, codes]) => `| ${status} | ${codes.map((code) => `\`${code}\``).join(', ')} |`);
  return ['| status | codes |', '| --- | --- |', ...rows].join('\n');
}

describe("the partner guide's Errors table", () => {
  it('lists every problem code in the row of its status', () => {
    const guide = readFileSync(new URL('../docs/partner-integration.md', import.meta.url), 'utf8');
    const section = guide.slice(
      guide.indexOf('## Errors'),
      guide.indexOf('\n## ', guide.indexOf('## Errors') + 1),
    );
    const table = section.slice(section.indexOf('| status | codes |')).trim();
    expect(table, `replace the table in docs/partner-integration.md with:\n${errorsTable()}`).toBe(
      errorsTable(),
    );
  });
});
