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
  const results = input.results.map((result) => ({
    ...result,
    ratio:
      result.baselineValue && !Number.isNaN(result.baselineValue)
        ? Math.round((result.value / result.baselineValue) * 1000) / 1000
        : null,
  }));
  const report = {
    machine: machine(),
    measuredAt: new Date().toISOString(),
    command: input.command,
    results,
    details: input.details,
  };
  const jsonFile = path.join(projectDir, 'bench', 'results', 'latest.json');
  let previous: { results?: typeof results; details?: Record<string, unknown> } = {};
  try {
    previous = JSON.parse(readFileSync(jsonFile, 'utf8'));
  } catch {}
  // A partial run (one benchmark) keeps the other figures of the last full run.
  const merged = [
    ...(previous.results ?? []).filter((old) => !results.some((fresh) => fresh.name === old.name)),
    ...results,
  ];
  // Their details too: a run replaces only the details it measured.
  const details = { ...previous.details, ...input.details };
  writeFileSync(jsonFile, `${JSON.stringify({ ...report, results: merged, details }, null, 2)}\n`);

  const rows = merged.map(
    (result) =>
      `| ${result.name} | ${format(result.value)} ${result.unit} | ${result.concurrency ?? '–'} | ${format(result.p50Ms)} / ${format(result.p99Ms)} | ${result.baseline ?? '–'} | ${format(result.baselineValue)} | ${result.ratio === null ? '–' : `${format(result.ratio * 100, 0)} %`} |`,
  );
  const table = [
    '| name | value | concurrency | p50 / p99 ms | baseline (same run) | baseline value | ratio |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
  const { cores, memoryGiB, cpu, node } = report.machine;
  const markdown = [
    '# Performance',
    '',
    `Measured by \`${input.command}\` on ${report.measuredAt.slice(0, 10)}: ${cores} cores (${cpu}), ${memoryGiB} GiB, Node ${node}.`,
    'Everything (PostgreSQL, Temporal, gateway, worker, partner systems, load generators) shares those cores,',
    'so read the ratios, not the absolute figures: each baseline ran in the same session on the same servers.',
    'Ratio = value / baseline value: higher is better for throughput; for memory it is how many times the',
    "bare process's resident memory, lower is better. Raw figures, every concurrency level included, are in",
    '`bench/results/latest.json`.',
    '',
    table,
    '',
  ].join('\n');
  const docFile = path.join(projectDir, 'docs', 'performance.md');
  let notes = '';
  try {
    const existing = readFileSync(docFile, 'utf8');
    const marker = existing.indexOf('\n## ');
    notes = marker >= 0 ? existing.slice(marker) : '';
  } catch {}
  writeFileSync(docFile, `${markdown}${notes}`);
  process.stdout.write(`\n${table}\n\n${cores} cores, ${memoryGiB} GiB, ${cpu}\n`);
}
