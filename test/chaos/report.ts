// The crash run's summary as text: figures first, then each check with its result, then every
// problem found (at most problemsShownMax per check, the rest counted).
import type { ChaosReport } from './run.ts';

const seconds = (ms: number) => `${(ms / 1_000).toFixed(1)} s`;

export function formatReport(report: ChaosReport, problemsShownMax = 20): string {
  const { requests, kills } = report;
  const killsBy = (target: string) => kills.filter((kill) => kill.target === target).length;
  const faults = Object.entries(report.faultsArmed)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
  const lines = [
    `chaos run, seed ${report.seed}: ${report.ok ? 'PASSED' : 'FAILED'}`,
    `  transfers   ${report.transfersPlanned.quoted + report.transfersPlanned.inline} requested (${report.transfersPlanned.quoted} quoted, ${report.transfersPlanned.inline} inline)`,
    `  kills       ${kills.length} (gateway ${killsBy('gateway')}, worker ${killsBy('worker')}, both ${killsBy('both')}); in flight at each: ${kills.map((kill) => kill.inFlight).join(', ')}`,
    `  restarts    slowest ${seconds(Math.max(0, ...kills.map((kill) => kill.restartMs)))} to ready`,
    `  requests    ${requests.sent} sent, ${requests.retries} retries, ${requests.replayed} replayed answers`,
    `  lost        ${requests.lost.connection} connection, ${requests.lost.server_error} 5xx, ${requests.lost.in_progress} 409 in progress; longest until answered ${seconds(report.longestRecoveryMs)}`,
    `  faults      ${faults || 'none'}`,
    `  duration    ${seconds(report.durationsMs.total)} (set-up ${seconds(report.durationsMs.setUp)}, load ${seconds(report.durationsMs.load)}, settle ${seconds(report.durationsMs.settle)})`,
    '  checks',
    ...report.checks.map((check) => `    ${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.summary}`),
  ];
  for (const check of report.checks.filter((candidate) => !candidate.ok)) {
    lines.push(`  ${check.name}: ${check.problems.length} problem(s)`);
    for (const problem of check.problems.slice(0, problemsShownMax)) lines.push(`    - ${problem}`);
    if (check.problems.length > problemsShownMax)
      lines.push(`    … and ${check.problems.length - problemsShownMax} more`);
  }
  if (report.logDir) lines.push(`  services' output: ${report.logDir}`);
  return lines.join('\n');
}
