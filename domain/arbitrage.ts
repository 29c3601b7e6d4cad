// Rate arbitrage: a cycle of agreements A→B→…→A whose ratios multiply to more than one would let a
// member create points by going round it. The alliance has no such cycle, so a new agreement can
// only create one through its own edge: we look for paths from its target back to its source.
import { compareRatios, multiplyRatios, type Ratio } from './arithmetic.ts';
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
 * Returns the programmes of a cycle through `candidate` that yields more than it takes
 * (`[A, B, …, A]`), or null. `candidate` replaces any existing edge between the same programmes.
 */
export function findArbitrageCycle(
  edges: readonly RateEdge[],
  candidate: RateEdge,
  hopsMax = 12,
): string[] | null {
  const outgoing = new Map<string, RateEdge[]>();
  for (const edge of edges) {
    if (
      edge.sourceProgramId === candidate.sourceProgramId &&
      edge.targetProgramId === candidate.targetProgramId
    )
      continue;
    const list = outgoing.get(edge.sourceProgramId) ?? [];
    list.push(edge);
    outgoing.set(edge.sourceProgramId, list);
  }

  const path = [candidate.sourceProgramId, candidate.targetProgramId];
  const visit = (programId: string, product: Ratio): string[] | null => {
    if (programId === candidate.sourceProgramId) return compareRatios(product, one) > 0 ? [...path] : null;
    if (path.length > hopsMax) return null;
    for (const edge of outgoing.get(programId) ?? []) {
      const next = edge.targetProgramId;
      if (next !== candidate.sourceProgramId && path.includes(next)) continue;
      path.push(next);
      const found = visit(next, multiplyRatios(product, edge.ratio));
      path.pop();
      if (found) return found;
    }
    return null;
  };
  return visit(candidate.targetProgramId, candidate.ratio);
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
