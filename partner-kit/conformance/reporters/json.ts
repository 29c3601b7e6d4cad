// The report as JSON: the run, the target and every rule's result, for a pipeline to read.
import type { ConformanceReport } from '../runner.ts';

export function jsonReport(report: ConformanceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
