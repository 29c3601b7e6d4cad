// The report keeps what people wrote around the table, and the rows of earlier runs in their place.
import { describe, expect, it } from 'vitest';
import { mergeResults, withTable } from './report.ts';

const table = '| name | value |\n| --- | --- |\n| quotes | 2 |';

describe('the performance document', () => {
  it('has its table replaced and every word around it kept', () => {
    const document =
      '# Performance\n\nWritten by hand.\n\n| name | value |\n| --- | --- |\n| quotes | 1 |\n| ledger | 5 |\n\n## A sitting\n\nNotes.\n';
    expect(withTable(document, table, 'unused')).toBe(
      '# Performance\n\nWritten by hand.\n\n| name | value |\n| --- | --- |\n| quotes | 2 |\n\n## A sitting\n\nNotes.\n',
    );
  });

  it('gets the introduction and the table before its notes when it has no table', () => {
    expect(withTable('# Old\n\n## A sitting\n', table, '# Performance')).toBe(
      `# Performance\n\n${table}\n\n## A sitting\n`,
    );
    expect(withTable('', table, '# Performance')).toBe(`# Performance\n\n${table}\n`);
  });
});

describe('the results of a partial run', () => {
  it('replace the rows they measured where they stand, and come after the others when new', () => {
    const merged = mergeResults(
      [
        { name: 'a', value: 1 },
        { name: 'b', value: 1 },
        { name: 'c', value: 1 },
      ],
      [
        { name: 'd', value: 2 },
        { name: 'b', value: 2 },
      ],
    );
    expect(merged).toEqual([
      { name: 'a', value: 1 },
      { name: 'b', value: 2 },
      { name: 'c', value: 1 },
      { name: 'd', value: 2 },
    ]);
  });
});
