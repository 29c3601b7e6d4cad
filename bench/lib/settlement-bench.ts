// `npm run bench:settlement`: a database of its own on DATABASE_URL's server (or an embedded one),
// the close measured by bench/settlement-load.ts in a process of its own, and its figures as
// results beside the GROUP BY of the same run. Times, so a ratio below 1 is faster than the
// baseline; the goal is the close, statements included, within 1.5 times the GROUP BY. The lines
// (every obligation, on download) are reported beside it, outside the goal.
import path from 'node:path';
import { ensurePostgres } from '../../runtime/local-services.ts';
import type { Logger } from '../../runtime/logger.ts';
import { projectDir } from '../../runtime/project-dir.ts';
import { dropDatabase, ensureDatabase, withDatabase } from '../../store/database-url.ts';
import { runJson } from './processes.ts';
import type { BenchResult } from './report.ts';
import { defaultSettlementShape } from './settlement-data.ts';

interface SettlementFigures {
  /** Currencies as one string, `CNY, USD`. */
  shape: { obligations: number; partners: number; currencies: string };
  rounds: { groupBy: unknown[] }[];
  groupByMedianMs: number;
  sealMedianMs: number;
  netMedianMs: number;
  closeMedianMs: number;
  statementsMedianMs: number;
  closeWithStatementsMedianMs: number;
  statementConcurrency: number;
  statementLines: { ms: number; lines: number };
  [more: string]: unknown;
}

export async function benchSettlement(
  logger: Logger,
): Promise<{ results: BenchResult[]; details: SettlementFigures }> {
  const postgres = await ensurePostgres({
    databaseUrl: process.env.DATABASE_URL,
    dataDir: path.join(projectDir, '.data', 'bench'),
    embeddedPort: 54359,
    logger,
  });
  const databaseUrl = withDatabase(postgres.address, `alliance_bench_settlement_${Date.now()}`);
  await ensureDatabase(databaseUrl);
  let figures: SettlementFigures;
  try {
    figures = await runJson<SettlementFigures>('bench/settlement-load.ts', [
      databaseUrl,
      process.env.BENCH_SETTLEMENT_OBLIGATIONS ?? String(defaultSettlementShape.obligations),
      process.env.BENCH_SETTLEMENT_ROUNDS ?? '3',
      process.env.BENCH_SETTLEMENT_GROUP_BY_RUNS ?? '5',
      process.env.BENCH_SETTLEMENT_STATEMENT_CONCURRENCY ?? '1',
    ]);
  } finally {
    await dropDatabase(databaseUrl).catch(() => undefined);
    await postgres.stop();
  }
  const { obligations, partners, currencies } = figures.shape;
  const rows = `${obligations.toLocaleString('en-US')} obligations, ${partners} partners, ${currencies.split(', ').length} currencies`;
  const runs = figures.rounds.reduce((sum, round) => sum + round.groupBy.length, 0);
  const baseline = `plain SQL GROUP BY currency, debtor, creditor (sum, count) over the same ${rows}, same connection, median of ${runs} runs in ${figures.rounds.length} rounds`;
  const statements = `the ${partners} statements the close signed (ES256), downloaded, ${figures.statementConcurrency} at a time`;
  const result = (name: string, value: number, unit: string): BenchResult => ({
    name,
    value,
    unit,
    baseline,
    baselineValue: figures.groupByMedianMs,
  });
  return {
    results: [
      result(
        'settlement_close',
        figures.closeMedianMs,
        `ms (sealCycle + netCycle, which issues the ${partners} statements)`,
      ),
      result('settlement_statements', figures.statementsMedianMs, `ms (${statements})`),
      result(
        'settlement_close_with_statements',
        figures.closeWithStatementsMedianMs,
        'ms (close + the statements downloaded)',
      ),
      // Not part of the close: what the detail costs when a partner asks for it.
      result(
        'settlement_statement_lines',
        figures.statementLines.ms,
        `ms (the ${partners} statements' ${figures.statementLines.lines.toLocaleString('en-US')} lines, each partner's read and signed as one document, once)`,
      ),
    ],
    details: figures,
  };
}
