// Where a benchmark's CPU went: the arithmetic over two snapshots, and a snapshot of this machine
// that sees the CPU this process burns.
import { describe, expect, it } from 'vitest';
import {
  addCpuUsage,
  type CpuSnapshot,
  cpuBetween,
  cpuPerRequest,
  cpuSnapshot,
  noCpuSeconds,
  type ProcessKind,
} from './cpu-usage.ts';

const snapshot = (
  busyTicks: number,
  totalTicks: number,
  processes: [number, { kind: ProcessKind; ticks: number }][],
): CpuSnapshot => ({ busyTicks, totalTicks, processes: new Map(processes) });

describe('cpuBetween', () => {
  it('counts each process by its kind, a new one whole, and the rest of the busy time as other', () => {
    const before = snapshot(1_000, 4_000, [
      [10, { kind: 'postgres', ticks: 500 }],
      [11, { kind: 'gateway', ticks: 200 }],
    ]);
    const after = snapshot(1_300, 4_400, [
      [10, { kind: 'postgres', ticks: 620 }],
      [11, { kind: 'gateway', ticks: 260 }],
      [12, { kind: 'worker', ticks: 50 }],
    ]);
    const usage = cpuBetween(before, after);
    expect(usage.busy).toBeCloseTo(300 / 400);
    expect(usage.seconds).toMatchObject({ postgres: 1.2, gateway: 0.6, worker: 0.5, temporal: 0 });
    // 300 busy ticks, 230 accounted for by the processes above.
    expect(usage.seconds.other).toBeCloseTo(0.7);
  });

  it('never counts negative time for processes that outran the machine counters', () => {
    const usage = cpuBetween(snapshot(0, 100, []), snapshot(10, 200, [[5, { kind: 'load', ticks: 40 }]]));
    expect(usage.seconds.other).toBe(0);
    expect(usage.seconds.load).toBeCloseTo(0.4);
  });
});

describe('addCpuUsage and cpuPerRequest', () => {
  it('adds the rounds of one configuration, weighting how busy each was by its length', () => {
    const round = (busy: number, gateway: number, durationMs: number) => ({
      usage: { busy, seconds: { ...noCpuSeconds(), gateway } },
      durationMs,
    });
    const total = addCpuUsage([round(0.5, 1, 1_000), round(1, 3, 3_000)]);
    expect(total.busy).toBeCloseTo(0.875);
    expect(total.seconds.gateway).toBe(4);
    const perRequest = cpuPerRequest(total, 2_000);
    expect(perRequest.byKindMs.gateway).toBe(2);
    expect(perRequest.totalMs).toBe(2);
    expect(perRequest.busy).toBe(0.875);
  });
});

describe('cpuSnapshot', () => {
  it('sees the CPU this process burns, as the load generator', () => {
    const before = cpuSnapshot();
    const started = process.cpuUsage();
    let spent = 0;
    while (spent < 300_000) {
      Math.sqrt(Math.random());
      const used = process.cpuUsage(started);
      spent = used.user + used.system;
    }
    const usage = cpuBetween(before, cpuSnapshot());
    expect(usage.seconds.load).toBeGreaterThanOrEqual(0.2);
    expect(usage.busy).toBeGreaterThan(0);
    expect(usage.busy).toBeLessThanOrEqual(1);
  });
});
