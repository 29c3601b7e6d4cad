import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findArbitrageCycle, type RateEdge } from './arbitrage.ts';
import { compareRatios, multiplyRatios, type Ratio } from './arithmetic.ts';

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

const one: Ratio = { numerator: 1n, denominator: 1n };
const programmes = (count: number): string[] => Array.from({ length: count }, (_, i) => `P${i}`);

/** P0 → P1 → … → P(count-1), each hop at `numerator / denominator`. */
const chain = (count: number, numerator: bigint, denominator: bigint): RateEdge[] =>
  programmes(count)
    .slice(1)
    .map((programme, i) => edge(`P${i}`, programme, numerator, denominator));

/** The product of a reported cycle, each step at the candidate or at the best edge it names. */
function productOf(cycle: readonly string[], edges: readonly RateEdge[], candidate: RateEdge): Ratio {
  let product = one;
  for (const [i, from] of cycle.slice(0, -1).entries()) {
    const to = cycle[i + 1];
    const isCandidate = from === candidate.sourceProgramId && to === candidate.targetProgramId;
    const ratios = isCandidate
      ? [candidate.ratio]
      : edges
          .filter(
            (e) =>
              e.sourceProgramId === from &&
              e.targetProgramId === to &&
              (e.sourceProgramId !== candidate.sourceProgramId ||
                e.targetProgramId !== candidate.targetProgramId),
          )
          .map((e) => e.ratio);
    expect(ratios.length, `${from} → ${to} is an edge`).toBeGreaterThan(0);
    const best = ratios.reduce((a, b) => (compareRatios(a, b) >= 0 ? a : b));
    product = multiplyRatios(product, best);
  }
  return product;
}

describe('findArbitrageCycle on long cycles', () => {
  it.each([13, 20])('finds a winning cycle of %i hops', (hops) => {
    const cycle = findArbitrageCycle(chain(hops, 11n, 10n), edge(`P${hops - 1}`, 'P0', 11n, 10n));
    expect(cycle).toEqual([`P${hops - 1}`, ...programmes(hops)]);
  });

  it.each([13, 20])('accepts a cycle of %i hops that multiplies to exactly one, or less', (hops) => {
    const edges = chain(hops, 11n, 10n);
    const back = 10n ** BigInt(hops - 1);
    const out = 11n ** BigInt(hops - 1);
    expect(findArbitrageCycle(edges, edge(`P${hops - 1}`, 'P0', back, out))).toBeNull();
    expect(findArbitrageCycle(edges, edge(`P${hops - 1}`, 'P0', back - 1n, out))).toBeNull();
    expect(findArbitrageCycle(chain(hops, 1n, 1n), edge(`P${hops - 1}`, 'P0', 1n, 1n))).toBeNull();
    expect(
      findArbitrageCycle(edges, edge(`P${hops - 1}`, 'P0', back * 1_000_000n + 1n, out * 1_000_000n)),
    ).toEqual([`P${hops - 1}`, ...programmes(hops)]);
  });

  it('takes the long way back when it is the one that gains', () => {
    const edges = [...chain(13, 11n, 10n), edge('P0', 'P12', 1n, 1n), edge('P3', 'P9', 3n, 2n)];
    expect(findArbitrageCycle(edges, edge('P12', 'P0', 1n, 2n))).toEqual(['P12', ...programmes(13)]);
  });

  it('decides a fully connected alliance of 40 programmes', () => {
    // Each programme's points are worth `i + 1`: every cycle multiplies to exactly one, so nothing prunes.
    const alliance = programmes(40);
    const edges = alliance.flatMap((from, i) =>
      alliance.flatMap((to, j) => (i === j ? [] : [edge(from, to, BigInt(i + 1), BigInt(j + 1))])),
    );
    const fair = edge('P39', 'P0', 40n, 1n);
    expect(findArbitrageCycle(edges, fair)).toBeNull();
    expect(findArbitrageCycle(edges, edge('P39', 'P0', 39n, 1n))).toBeNull();
    const generous = edge('P39', 'P0', 41n, 1n);
    const cycle = findArbitrageCycle(edges, generous);
    expect(cycle?.slice(0, 2)).toEqual(['P39', 'P0']);
    expect(cycle?.at(-1)).toBe('P39');
    expect(compareRatios(productOf(cycle ?? [], edges, generous), one)).toBe(1);
  });

  it('reports a winning cycle the graph already holds on the way back, and ignores one off it', () => {
    const edges = [
      edge('B', 'C', 1n, 1n),
      edge('C', 'D', 2n, 1n),
      edge('D', 'C', 1n, 1n),
      edge('C', 'A', 1n, 10n),
    ];
    expect(findArbitrageCycle(edges, edge('A', 'B', 1n, 1n))).toEqual(['C', 'D', 'C']);
    const offTheWay = [
      edge('B', 'A', 1n, 1n),
      edge('B', 'C', 1n, 1n),
      edge('C', 'D', 2n, 1n),
      edge('D', 'C', 1n, 1n),
    ];
    expect(findArbitrageCycle(offTheWay, edge('A', 'B', 1n, 1n))).toBeNull();
  });

  it('treats an edge from a programme to itself as the old search did', () => {
    expect(findArbitrageCycle([], edge('A', 'A', 2n, 1n))).toEqual(['A', 'A']);
    expect(findArbitrageCycle([], edge('A', 'A', 1n, 1n))).toBeNull();
  });
});

// Properties: small random graphs, against an exhaustive search over simple paths and cycles.
const names = programmes(6);
const ratioArbitrary = fc.record({
  numerator: fc.bigInt({ min: 1n, max: 5n }),
  denominator: fc.bigInt({ min: 1n, max: 5n }),
});
const edgeArbitrary = (count: number, shift = fc.nat({ max: count - 1 })) =>
  fc
    .record({ from: fc.nat({ max: count - 1 }), shift, ratio: ratioArbitrary })
    .map(({ from, shift, ratio }) =>
      edge(
        names[from] as string,
        names[(from + shift) % count] as string,
        ratio.numerator,
        ratio.denominator,
      ),
    );
/**
 * Half the graphs price each programme's points (`worth`) and let no edge give more than that, so
 * that they hold no winning cycle, as the alliance does; the others are anything at all. The
 * candidate is anything, and seldom an edge from a programme to itself.
 */
const graphArbitrary = fc.integer({ min: 2, max: 6 }).chain((count) =>
  fc.record({
    edges: fc.array(edgeArbitrary(count), { maxLength: 18 }),
    candidate: edgeArbitrary(
      count,
      fc.oneof(
        { weight: 1, arbitrary: fc.constant(0) },
        { weight: 9, arbitrary: fc.integer({ min: 1, max: count - 1 }) },
      ),
    ),
    worth: fc.option(fc.array(fc.bigInt({ min: 1n, max: 7n }), { minLength: count, maxLength: count }), {
      freq: 2,
    }),
  }),
);

/** At most each programme's `worth`, often exactly: cycles of exactly one are common. */
function priced(edges: readonly RateEdge[], worth: readonly bigint[]): RateEdge[] {
  return edges.map((e) => {
    const loss = e.ratio.numerator <= e.ratio.denominator ? e.ratio : one;
    return { ...e, ratio: multiplyRatios(fair(e, worth), loss) };
  });
}

function fair(e: RateEdge, worth: readonly bigint[]): Ratio {
  return {
    numerator: worth[names.indexOf(e.sourceProgramId)] as bigint,
    denominator: worth[names.indexOf(e.targetProgramId)] as bigint,
  };
}

/** Every simple path from `from` to `to` (no programme twice but `to` when it is `from`: a cycle). */
function simplePaths(edges: readonly RateEdge[], from: string, to: string): string[][] {
  const paths: string[][] = [];
  const visit = (path: string[]) => {
    const at = path.at(-1);
    if (path.length > 1 && at === to) return void paths.push(path);
    for (const e of edges) {
      if (e.sourceProgramId !== at) continue;
      if (e.targetProgramId === to || !path.includes(e.targetProgramId)) visit([...path, e.targetProgramId]);
    }
  };
  visit([from]);
  return paths;
}

describe('findArbitrageCycle on random graphs', () => {
  it('reports a real winning cycle exactly when an exhaustive search finds one, and the best', () => {
    fc.assert(
      fc.property(graphArbitrary, ({ edges: drawn, candidate: drawnCandidate, worth }) => {
        const edges = worth ? priced(drawn, worth) : drawn;
        const candidate = worth
          ? { ...drawnCandidate, ratio: multiplyRatios(fair(drawnCandidate, worth), drawnCandidate.ratio) }
          : drawnCandidate;
        const source = candidate.sourceProgramId;
        const target = candidate.targetProgramId;
        const cycle = findArbitrageCycle(edges, candidate);
        const rest = edges.filter((e) => e.sourceProgramId !== source || e.targetProgramId !== target);

        if (cycle) {
          expect(cycle[0]).toBe(cycle.at(-1));
          expect(new Set(cycle.slice(1)).size).toBe(cycle.length - 1);
          expect(compareRatios(productOf(cycle, edges, candidate), one)).toBe(1);
        }
        if (source === target) {
          expect(cycle).toEqual(compareRatios(candidate.ratio, one) > 0 ? [source, source] : null);
          return;
        }

        const onTheWay = new Set(
          names.filter(
            (p) => simplePaths(rest, target, p).length > 0 && simplePaths(rest, p, source).length > 0,
          ),
        );
        onTheWay.add(target).add(source);
        const restWins = [...onTheWay].some((p) =>
          simplePaths(rest, p, p).some(
            (loop) =>
              loop.every((q) => onTheWay.has(q)) && compareRatios(productOf(loop, rest, candidate), one) > 0,
          ),
        );
        if (simplePaths(rest, target, source).length === 0) {
          expect(cycle).toBeNull();
          return;
        }
        if (restWins) {
          expect(cycle).not.toBeNull();
          return;
        }
        const best = simplePaths(rest, target, source)
          .map((path) => multiplyRatios(candidate.ratio, productOf(path, rest, candidate)))
          .reduce((a, b) => (compareRatios(a, b) >= 0 ? a : b));
        if (compareRatios(best, one) <= 0) {
          expect(cycle).toBeNull();
          return;
        }
        expect(cycle?.slice(0, 2)).toEqual([source, target]);
        expect(compareRatios(productOf(cycle ?? [], edges, candidate), best)).toBe(0);
      }),
      { numRuns: 2_000 },
    );
  });
});
