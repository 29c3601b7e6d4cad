import { describe, expect, it } from 'vitest';
import { findArbitrageCycle, type RateEdge } from './arbitrage.ts';

const edge = (source: string, target: string, numerator: bigint, denominator: bigint): RateEdge => ({
  sourceProgramId: source,
  targetProgramId: target,
  ratio: { numerator, denominator },
});

describe('findArbitrageCycle', () => {
  it.each([
    { name: 'no edges back', edges: [], candidate: edge('A', 'B', 7n, 10n), cycle: null },
    {
      name: 'a fair round trip',
      edges: [edge('B', 'A', 10n, 7n)],
      candidate: edge('A', 'B', 7n, 10n),
      cycle: null,
    },
    {
      name: 'a losing round trip',
      edges: [edge('B', 'A', 1n, 1n)],
      candidate: edge('A', 'B', 7n, 10n),
      cycle: null,
    },
    {
      name: 'a winning round trip',
      edges: [edge('B', 'A', 3n, 2n)],
      candidate: edge('A', 'B', 7n, 10n),
      cycle: ['A', 'B', 'A'],
    },
    {
      name: 'a winning three-way cycle',
      edges: [edge('B', 'C', 2n, 1n), edge('C', 'A', 1n, 1n)],
      candidate: edge('A', 'B', 6n, 10n),
      cycle: ['A', 'B', 'C', 'A'],
    },
    {
      name: 'a replaced edge does not count',
      edges: [edge('A', 'B', 100n, 1n), edge('B', 'A', 1n, 1n)],
      candidate: edge('A', 'B', 1n, 2n),
      cycle: null,
    },
    {
      name: 'a cycle elsewhere that does not pass the new edge',
      edges: [edge('C', 'D', 1n, 1n), edge('D', 'C', 1n, 1n)],
      candidate: edge('A', 'B', 1n, 1n),
      cycle: null,
    },
  ])('$name', ({ edges, candidate, cycle }) => {
    expect(findArbitrageCycle(edges, candidate)).toEqual(cycle);
  });

  it('is exact at the boundary: a product of exactly one is not arbitrage', () => {
    const edges = [edge('B', 'C', 3n, 1n), edge('C', 'A', 1n, 7n)];
    expect(findArbitrageCycle(edges, edge('A', 'B', 7n, 3n))).toBeNull();
    expect(findArbitrageCycle(edges, edge('A', 'B', 7_000_001n, 3_000_000n))).toEqual(['A', 'B', 'C', 'A']);
  });
});
