// pgbench simple-update (-N), the database's own ceiling that the ledger's figures stand beside. A
// 10 s run moved between 3,694 and 5,364 tps within one run of the bench, and up to 8,010 on another
// day (the disk and the neighbours of a shared machine), so a figure compared with it is measured in
// rounds between its runs (bench/ledger-load.ts), each beside the pgbench run just before it.
import { execFileSync } from 'node:child_process';

export const pgbenchRunSeconds = 10;

/**
 * Creates pgbench's tables (scale 10) in `url`'s database; false when pgbench cannot run, and the
 * figures measured beside it go without their baseline.
 */
export function pgbenchInit(url: string): boolean {
  try {
    execFileSync('pgbench', ['-i', '-s', '10', '-q', url], { stdio: 'ignore' });
    return true;
  } catch (error) {
    process.stderr.write(`pgbench could not run; is it on PATH (Debian: postgresql-client)? ${error}\n`);
    return false;
  }
}

export const noPgbenchRun: PgbenchRun = { tps: Number.NaN, transactions: 0 };

export interface PgbenchRun {
  tps: number;
  transactions: number;
}

/** One run of `clients` clients over two threads. */
export function pgbenchRun(url: string, clients: number): PgbenchRun {
  const output = execFileSync(
    'pgbench',
    ['-N', '-n', '-c', String(clients), '-j', '2', '-T', String(pgbenchRunSeconds), url],
    { encoding: 'utf8' },
  );
  const tps = /tps = ([\d.]+)/.exec(output)?.[1];
  const transactions = /number of transactions actually processed: (\d+)/.exec(output)?.[1];
  if (!tps || !transactions) throw new Error(`pgbench printed no tps:\n${output}`);
  return { tps: Number(tps), transactions: Number(transactions) };
}
