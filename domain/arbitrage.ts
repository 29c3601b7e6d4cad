// Rate arbitrage: a cycle of agreements A→B→…→A whose ratios multiply to more than one would let a
// member create points by going round it. The alliance has no such cycle, so a new agreement can
// only create one through its own edge: we look for the best path from its target back to its source.
import { assert, compareRatios, multiplyRatios, type Ratio } from './arithmetic.ts';
import { ProblemError } from './errors.ts';
import { bestCaseRatio, type RateTerms } from './rate-terms.ts';

export interface RateEdge {
  sourceProgramId: string;
  targetProgramId: string;
  /** The best ratio a member could get on this edge (tiers and campaigns included). */
  ratio: Ratio;
}

const one: Ratio = { numerator: 1n, denominator: 1n };

/**
 * The longest a quote may live (`QUOTE_LIFETIME_SECONDS` is at most this). A quote keeps the terms it
 * was priced at until it expires, so a version or campaign that ended less than this long ago still
 * counts in the rate graph: a reverse edge accepted at once would otherwise close a gaining cycle
 * with the quotes still priced on the ended one.
 */
export const quoteLifetimeMaxSeconds = 3_600;

/** The instant before which a version or campaign that ended no longer counts in the rate graph. */
export function endedStillQuotedSince(now: Date): Date {
  return new Date(now.getTime() - quoteLifetimeMaxSeconds * 1_000);
}

interface Hop {
  to: number;
  ratio: Ratio;
}

/**
 * Returns the programmes of a cycle through `candidate` that yields more than it takes
 * (`[A, B, …, A]`, A the candidate's source), or null. `candidate` replaces any existing edge
 * between the same programmes. Should the other edges already hold such a cycle on the way back from
 * the candidate's target to its source, that cycle is returned instead (`[X, …, X]`): the alliance
 * must never have one, and past it the best way back is unbounded.
 *
 * Best products from the target, relaxed round by round (Bellman-Ford, over maxima of products
 * rather than minima of sums, so that no logarithm and no float is involved): after round k each
 * programme holds the best product of a walk of at most k edges. The n programmes that lie on some
 * way back need at most n rounds: either nothing improves any more, and the way back to the source
 * is the best simple path (a cycle that gains nothing never strictly improves anything), or a walk
 * that has just improved repeats a programme, and the loop it makes gains (`gainingLoop`), which
 * every walk improved in round n does. O(n · e) products and comparisons, e the edges among them.
 *
 * Growth: a product held after round k is the product of the k or fewer edge ratios along its walk,
 * never of anything earlier rounds discarded, so its numerator and denominator have at most k · b
 * bits, b the bits of the largest term of an edge ratio (n · b in all; a comparison multiplies two
 * of them). Reducing to lowest terms would cost a gcd per step and is not needed for that bound.
 */
export function findArbitrageCycle(edges: readonly RateEdge[], candidate: RateEdge): string[] | null {
  const source = candidate.sourceProgramId;
  const target = candidate.targetProgramId;
  if (source === target) return compareRatios(candidate.ratio, one) > 0 ? [source, target] : null;

  // Only the best of parallel edges matters to a best product.
  const bestRatio = new Map<string, Map<string, Ratio>>();
  for (const edge of edges) {
    if (edge.sourceProgramId === source && edge.targetProgramId === target) continue;
    const fromHere = bestRatio.get(edge.sourceProgramId) ?? new Map<string, Ratio>();
    const known = fromHere.get(edge.targetProgramId);
    if (!known || compareRatios(edge.ratio, known) > 0) fromHere.set(edge.targetProgramId, edge.ratio);
    bestRatio.set(edge.sourceProgramId, fromHere);
  }
  const successors = new Map<string, string[]>();
  const predecessors = new Map<string, string[]>();
  for (const [from, fromHere] of bestRatio) {
    for (const to of fromHere.keys()) {
      append(successors, from, to);
      append(predecessors, to, from);
    }
  }

  // A programme off every way back cannot be on a cycle through the candidate, and a cycle there
  // that gains is none of this change's business (the alliance's invariant covers it).
  const fromTarget = reachable(target, successors);
  if (!fromTarget.has(source)) return null;
  const toSource = reachable(source, predecessors);
  const programmes = [...fromTarget].filter((programme) => toSource.has(programme));
  const index = new Map(programmes.map((programme, i) => [programme, i]));
  const outgoing: Hop[][] = programmes.map(() => []);
  for (const [from, fromHere] of bestRatio) {
    const fromIndex = index.get(from);
    if (fromIndex === undefined) continue;
    for (const [to, ratio] of fromHere) {
      const toIndex = index.get(to);
      if (toIndex !== undefined) outgoing[fromIndex]?.push({ to: toIndex, ratio });
    }
  }

  const start = index.get(target);
  const end = index.get(source);
  assert(start !== undefined && end !== undefined, 'the way back starts at the target, ends at the source');
  let best: (Ratio | null)[] = programmes.map((_, i) => (i === start ? one : null));
  // Per round, where each improved product came from, so that the walk behind any product can be
  // retraced exactly; a programme that did not improve can improve nothing new in the next round.
  const cameFrom: Map<number, number>[] = [];
  for (let improved = [start]; improved.length > 0; ) {
    assert(cameFrom.length < programmes.length, 'a walk of n edges over n programmes repeats one');
    const next = [...best];
    const from = new Map<number, number>();
    for (const programme of improved) {
      const reached = best[programme] as Ratio;
      for (const hop of outgoing[programme] ?? []) {
        const product = multiplyRatios(reached, hop.ratio);
        const held = next[hop.to];
        if (!held || compareRatios(product, held) > 0) {
          next[hop.to] = product;
          from.set(hop.to, programme);
        }
      }
    }
    cameFrom.push(from);
    best = next;
    improved = [...from.keys()];
    // Looking for a loop costs the length of each improved walk, so we look at rounds 1, 2, 4, 8, …
    // only (O(n²) lookups in all), and at round n, where every improved walk repeats a programme.
    const round = cameFrom.length;
    if ((round & (round - 1)) !== 0 && round !== programmes.length) continue;
    for (const programme of improved) {
      const loop = gainingLoop(retrace(cameFrom, programme));
      if (loop) return loop.map((i) => programmes[i] as string);
    }
  }

  const wayBack = best[end];
  assert(wayBack, 'the source is reachable from the target');
  if (compareRatios(multiplyRatios(candidate.ratio, wayBack), one) <= 0) return null;
  const path = retrace(cameFrom, end);
  assert(path[0] === start, 'a best walk starts at the target');
  return [source, ...path.map((i) => programmes[i] as string)];
}

function append(lists: Map<string, string[]>, key: string, value: string): void {
  const list = lists.get(key);
  if (list) list.push(value);
  else lists.set(key, [value]);
}

function reachable(start: string, next: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set([start]);
  const toVisit = [start];
  for (let programme = toVisit.pop(); programme !== undefined; programme = toVisit.pop()) {
    for (const neighbour of next.get(programme) ?? []) {
      if (seen.has(neighbour)) continue;
      seen.add(neighbour);
      toVisit.push(neighbour);
    }
  }
  return seen;
}

/** The walk (programme indices, first to last) whose product the last round holds for `programme`. */
function retrace(cameFrom: readonly ReadonlyMap<number, number>[], programme: number): number[] {
  const walk = [programme];
  let at = programme;
  for (let round = cameFrom.length - 1; round >= 0; round--) {
    const from = cameFrom[round]?.get(at);
    if (from === undefined) continue;
    at = from;
    walk.push(at);
  }
  return walk.reverse();
}

/**
 * The first loop of a walk that has just improved in round k, or null. The walk has k edges (with
 * fewer, round k - 1 would have held it already). Cutting a loop out of it leaves a walk of fewer
 * than k edges, which round k - 1 held at no less than the whole walk divided by the loop; since
 * the whole walk beat that, the loop multiplies to more than one.
 */
function gainingLoop(walk: readonly number[]): number[] | null {
  const seenAt = new Map<number, number>();
  for (const [position, programme] of walk.entries()) {
    const first = seenAt.get(programme);
    if (first !== undefined) return walk.slice(first, position + 1);
    seenAt.set(programme, position);
  }
  return null;
}

/**
 * Refuses terms whose best case would close a cycle that yields more points than it takes. `boost`:
 * what the target programme's own campaigns could add to that best case (domain/campaigns.ts).
 */
export function refuseArbitrage(edges: RateEdge[], terms: RateTerms, boost: Ratio = one): void {
  const candidate = {
    sourceProgramId: terms.sourceProgramId,
    targetProgramId: terms.targetProgramId,
    ratio: multiplyRatios(bestCaseRatio(terms), boost),
  };
  const others = edges.filter(
    (edge) =>
      edge.sourceProgramId !== candidate.sourceProgramId ||
      edge.targetProgramId !== candidate.targetProgramId,
  );
  const cycle = findArbitrageCycle(others, candidate);
  if (cycle) {
    throw new ProblemError(
      'rate_arbitrage',
      `Going round ${cycle.join(' → ')} would yield more points than it takes.`,
      [{ field: 'toPoints', message: `opens the cycle ${cycle.join(' → ')}` }],
    );
  }
}
