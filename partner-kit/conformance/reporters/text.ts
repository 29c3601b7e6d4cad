// The lines a person reads: one per rule as it finishes (pass or FAIL, its name, what was seen), and
// a closing line with the counts.
import type { ConformanceReport, RuleResult } from '../runner.ts';

const nameWidth = 32;

export function resultLine(result: RuleResult): string {
  return `${result.passed ? 'pass' : 'FAIL'}  ${result.name.padEnd(nameWidth)} ${result.seen}`;
}

export function summaryLine(report: ConformanceReport): string {
  const failed = report.results.filter((result) => !result.passed);
  const passed = report.results.length - failed.length;
  const failures = failed.length > 0 ? ` (${failed.map((result) => result.name).join(', ')})` : '';
  return `${passed} passed, ${failed.length} failed${failures} in ${(report.durationMs / 1000).toFixed(1)} s: ${report.target.url} as partner ${report.target.partnerId}, run ${report.runId}`;
}

export function textReport(report: ConformanceReport): string {
  return `${[...report.results.map(resultLine), summaryLine(report)].join('\n')}\n`;
}
