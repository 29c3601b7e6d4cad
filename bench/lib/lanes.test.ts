// The load loop behind every benchmark figure: each operation runs once, never more than
// `concurrency` at a time, and outcomes are counted as they came (nothing here depends on timings).
import { describe, expect, it } from 'vitest';
import { runLanes } from './lanes.ts';
import { percentile } from './stats.ts';

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
