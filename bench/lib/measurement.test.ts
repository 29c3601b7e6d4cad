// What every benchmark figure is computed with: the load loop (each operation runs once, never more
// than `concurrency` at a time, outcomes counted as they came), percentiles, and pooled rounds.
// Nothing here depends on timings.
import { describe, expect, it } from 'vitest';
import { runLanes } from './lanes.ts';
import { percentile, pooled } from './stats.ts';

describe('runLanes', () => {
  it('runs each operation once over the given lanes and counts every outcome', async () => {
    const seen: number[] = [];
    let inFlight = 0;
    let inFlightMax = 0;
    const result = await runLanes(50, 4, ['201'], async (index) => {
      seen.push(index);
      inFlight += 1;
      inFlightMax = Math.max(inFlightMax, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      if (index % 10 === 9) throw new TypeError('connection reset');
      return index % 2 === 0 ? '201' : '409';
    });
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, index) => index));
    expect(inFlightMax).toBe(4);
    expect(result.statuses).toEqual({ '201': 25, '409': 20, TypeError: 5 });
    expect(result.requests).toBe(50);
    expect(result.ok).toBe(25);
    expect(result.p50Ms).toBeLessThanOrEqual(result.p99Ms);
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(sorted, 0.5)).toBe(50);
    expect(percentile(sorted, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
  });
});

describe('pooled', () => {
  it('gives the throughput of two rounds over their whole time, and the worse p99', () => {
    const round = (ok: number, durationMs: number, p50Ms: number, p99Ms: number) => ({
      requests: ok + 1,
      ok,
      durationMs,
      perSecond: (ok / durationMs) * 1000,
      p50Ms,
      p99Ms,
      statuses: { '201': ok, '503': 1 },
    });
    const both = pooled(round(30, 1_000, 10, 40), round(10, 1_000, 20, 90));
    expect(both).toMatchObject({
      requests: 42,
      ok: 40,
      durationMs: 2_000,
      perSecond: 20,
      p50Ms: 15,
      p99Ms: 90,
    });
    expect(both.statuses).toEqual({ '201': 40, '503': 2 });
  });
});
