// Where a benchmark's CPU went, read from /proc (Linux): the machine's busy time over a stretch of
// the run, and each kind of process's share of it (the Temporal server, PostgreSQL, the gateways,
// the workers, the partner systems, the load generator). Two configurations doing the same work on
// the same cores differ here first: what one spends more per request, it cannot spend on requests.
import { readdirSync, readFileSync } from 'node:fs';

export type ProcessKind = 'temporal' | 'postgres' | 'gateway' | 'worker' | 'partners' | 'load' | 'other';

export interface CpuSnapshot {
  /** Busy and total ticks of all cores together (/proc/stat). */
  busyTicks: number;
  totalTicks: number;
  /** Ticks each live process has used (user and system), with its kind. */
  processes: Map<number, { kind: ProcessKind; ticks: number }>;
}

export interface CpuUsage {
  /** How busy the machine's cores were, 0 to 1. */
  busy: number;
  /** CPU seconds each kind used; `other` is the machine's busy time no process above accounts for. */
  seconds: Record<ProcessKind, number>;
}

const ticksPerSecond = 100;

/** Names a process by its command line. */
function kindOf(command: string): ProcessKind {
  if (/temporal.*server/.test(command)) return 'temporal';
  if (/(^|\/)postgres[: ]/.test(command)) return 'postgres';
  if (/gateway\.js|bare-hono/.test(command)) return 'gateway';
  if (/worker\.(ts|js)/.test(command)) return 'worker';
  if (/partners-server/.test(command)) return 'partners';
  if (/http-load|temporal-load|flash-sale-load|ledger-load/.test(command)) return 'load';
  return 'other';
}

function readStat(pid: number): { ticks: number; childTicks: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const field = (n: number) => Number(fields[n - 3] ?? 0);
    return { ticks: field(14) + field(15), childTicks: field(16) + field(17) };
  } catch {
    return null; // gone between the listing and the read
  }
}

export function cpuSnapshot(): CpuSnapshot {
  const cpuLine = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const counters = cpuLine.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: guest time is already inside user.
  const totalTicks = counters.slice(0, 8).reduce((sum, n) => sum + n, 0);
  const idleTicks = (counters[3] ?? 0) + (counters[4] ?? 0);
  const processes = new Map<number, { kind: ProcessKind; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    let command: string;
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue;
    }
    const stat = readStat(pid);
    if (!stat) continue;
    if (pid === process.pid) {
      // The load generators run as children of this process and are reaped by it.
      processes.set(pid, { kind: 'load', ticks: stat.ticks + stat.childTicks });
      continue;
    }
    processes.set(pid, { kind: kindOf(command), ticks: stat.ticks });
  }
  return { busyTicks: totalTicks - idleTicks, totalTicks, processes };
}

export const noCpuSeconds = (): Record<ProcessKind, number> => ({
  temporal: 0,
  postgres: 0,
  gateway: 0,
  worker: 0,
  partners: 0,
  load: 0,
  other: 0,
});

export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): CpuUsage {
  const seconds = noCpuSeconds();
  let accounted = 0;
  for (const [pid, now] of after.processes) {
    // A process started during the stretch used all its ticks in it.
    const ticks = now.ticks - (before.processes.get(pid)?.ticks ?? 0);
    seconds[now.kind] += ticks / ticksPerSecond;
    accounted += ticks;
  }
  const busyTicks = after.busyTicks - before.busyTicks;
  seconds.other += Math.max(0, busyTicks - accounted) / ticksPerSecond;
  const totalTicks = after.totalTicks - before.totalTicks;
  return { busy: totalTicks > 0 ? busyTicks / totalTicks : 0, seconds };
}

/** Adds stretches measured apart (the rounds of one configuration). */
export function addCpuUsage(stretches: readonly { usage: CpuUsage; durationMs: number }[]): CpuUsage {
  const seconds = noCpuSeconds();
  let busyWeighted = 0;
  let duration = 0;
  for (const { usage, durationMs } of stretches) {
    for (const kind of Object.keys(seconds) as ProcessKind[]) seconds[kind] += usage.seconds[kind];
    busyWeighted += usage.busy * durationMs;
    duration += durationMs;
  }
  return { busy: duration > 0 ? busyWeighted / duration : 0, seconds };
}

export interface CpuPerRequest {
  busy: number;
  totalMs: number;
  byKindMs: Record<ProcessKind, number>;
}

/** CPU milliseconds per request, by kind and in all, rounded for a report. */
export function cpuPerRequest(usage: CpuUsage, requests: number): CpuPerRequest {
  const perRequest = (secondsUsed: number) => Math.round(((secondsUsed * 1000) / requests) * 100) / 100;
  const byKind = Object.fromEntries(
    Object.entries(usage.seconds).map(([kind, used]) => [kind, perRequest(used)]),
  ) as Record<ProcessKind, number>;
  const total = perRequest(Object.values(usage.seconds).reduce((sum, used) => sum + used, 0));
  return { busy: Math.round(usage.busy * 1000) / 1000, totalMs: total, byKindMs: byKind };
}
