// Writes the results: bench/results/latest.json (for machines) and docs/performance.md (for people),
// and prints the table. Each figure is shown beside its baseline from the same run, with the ratio.
import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectDir } from '../../runtime/project-dir.ts';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline: string | null;
  baselineValue: number | null;
  concurrency?: number;
  p50Ms?: number;
  p99Ms?: number;
  /** When and by which command (`2026-11-30 18:53 UTC, npm run bench:ledger`): rows of several runs share the table. */
  measured?: string;
}

function machine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  let postgres = 'unknown';
  try {
    postgres = execSync('psql --version', { encoding: 'utf8' }).trim();
  } catch {}
  return {
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    cpu,
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
    postgresClient: postgres,
  };
}

const format = (value: number | null | undefined, digits = 1) =>
  value === null || value === undefined || Number.isNaN(value)
    ? '–'
    : value.toLocaleString('en-US', { maximumFractionDigits: digits });

export function writeReport(input: {
  results: BenchResult[];
  details: Record<string, unknown>;
  command: string;
}): void {
  const measuredAt = new Date().toISOString();
  const results = input.results.map((result) => ({
    ...result,
    measured: `${measuredAt.slice(0, 16).replace('T', ' ')} UTC, ${input.command}`,
    ratio:
      result.baselineValue && !Number.isNaN(result.baselineValue)
        ? Math.round((result.value / result.baselineValue) * 1000) / 1000
        : null,
  }));
  const report = {
    machine: machine(),
    measuredAt,
    command: input.command,
    results,
    details: input.details,
  };
  const jsonFile = path.join(projectDir, 'bench', 'results', 'latest.json');
  let previous: { results?: typeof results; details?: Record<string, unknown> } = {};
  try {
    previous = JSON.parse(readFileSync(jsonFile, 'utf8'));
  } catch {}
  const merged = mergeResults(previous.results ?? [], results);
  // Their details too: a run replaces only the details it measured.
  const details = { ...previous.details, ...input.details };
  writeFileSync(jsonFile, `${JSON.stringify({ ...report, results: merged, details }, null, 2)}\n`);

  const table = tableOf(merged);
  const docFile = path.join(projectDir, 'docs', 'performance.md');
  let existing = '';
  try {
    existing = readFileSync(docFile, 'utf8');
  } catch {}
  const { cores, memoryGiB, cpu, node } = report.machine;
  const introduction = [
    '# Performance',
    '',
    `Measured on ${cores} cores (${cpu}), ${memoryGiB} GiB, Node ${node}. Everything (PostgreSQL, Temporal,`,
    'gateway, worker, partner systems, load generators) shares those cores, so read the ratios, not the',
    'absolute figures: each baseline ran in the same session on the same servers. Ratio = value / baseline',
    "value: higher is better for throughput; for memory it is how many times the bare process's resident",
    'memory, lower is better. Raw figures are in `bench/results/latest.json`.',
  ].join('\n');
  writeFileSync(docFile, withTable(existing, table, introduction));
  process.stdout.write(`\n${table}\n\n${cores} cores, ${memoryGiB} GiB, ${cpu}\n`);
}

type ReportedResult = BenchResult & { ratio: number | null };

/** The table people read: each figure, its baseline from the same run, their ratio, and which run. */
export function tableOf(results: readonly ReportedResult[]): string {
  const rows = results.map(
    (result) =>
      `| ${result.name} | ${format(result.value)} ${result.unit} | ${result.concurrency ?? '–'} | ${format(result.p50Ms)} / ${format(result.p99Ms)} | ${result.baseline ?? '–'} | ${format(result.baselineValue)} | ${result.ratio === null ? '–' : `${format(result.ratio * 100, 0)} %`} | ${result.measured ?? '–'} |`,
  );
  return [
    '| name | value | concurrency | p50 / p99 ms | baseline (same run) | baseline value | ratio | measured |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/**
 * The last figures of every benchmark: a run replaces the rows it measured where they stand and adds
 * the new ones after, so a partial run (one benchmark) keeps the others and the table keeps its order.
 */
export function mergeResults<Row extends { name: string }>(
  previous: readonly Row[],
  fresh: readonly Row[],
): Row[] {
  const byName = new Map(fresh.map((row) => [row.name, row]));
  const kept = previous.map((row) => byName.get(row.name) ?? row);
  const keptNames = new Set(kept.map((row) => row.name));
  return [...kept, ...fresh.filter((row) => !keptNames.has(row.name))];
}

/**
 * The document with `table` in place of the one it has: the words around it are people's, written
 * by hand, and stay. A document without a table gets `introduction` and the table before its text.
 */
export function withTable(document: string, table: string, introduction: string): string {
  const lines = document.split('\n');
  const start = lines.findIndex((line) => line.startsWith('| name | value |'));
  if (start < 0) {
    const notes = document.indexOf('\n## ');
    return `${introduction}\n\n${table}\n${notes >= 0 ? document.slice(notes) : ''}`;
  }
  let end = start;
  while (end < lines.length && lines[end]?.startsWith('|')) end += 1;
  return [...lines.slice(0, start), table, ...lines.slice(end)].join('\n');
}
