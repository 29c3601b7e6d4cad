import { describe, expect, it } from 'vitest';
import {
  quintileScore,
  type RfmCell,
  type RfmScores,
  recencyScore,
  type Score,
  type Segment,
  segmentCounts,
  segmentOf,
} from './analytics.ts';

describe('recencyScore', () => {
  it.each([
    [0, 5],
    [7, 5],
    [7.01, 4],
    [30, 4],
    [31, 3],
    [90, 3],
    [91, 2],
    [180, 2],
    [181, 1],
    [3650, 1],
  ])('scores %f days since the last activity as %i', (days, score) => {
    expect(recencyScore(days)).toBe(score);
  });

  it.each([-1, Number.NaN])('refuses %f days', (days) => {
    expect(() => recencyScore(days)).toThrow();
  });
});

describe('quintileScore', () => {
  // Three members with frequencies 1, 2 and 3: percent_rank 0, 0.5, 1; cume_dist 1/3, 2/3, 1.
  it.each([
    [0, 1 / 3, 1],
    [0.5, 2 / 3, 3],
    [1, 1, 5],
  ])('scores percent_rank %f, cume_dist %f as %i', (percentRank, cumeDist, score) => {
    expect(quintileScore(percentRank, cumeDist)).toBe(score);
  });

  // PostgreSQL gives a lone member, and every member when all figures are equal, 0 and 1.
  it('gives the middle score when all members have the same figure, or there is one', () => {
    expect(quintileScore(0, 1)).toBe(3);
  });

  it.each([
    [-0.1, 0.5],
    [0.5, 0],
    [0.5, 1.1],
  ])('refuses ranks out of range (%f, %f)', (percentRank, cumeDist) => {
    expect(() => quintileScore(percentRank, cumeDist)).toThrow();
  });
});

const scores = (recency: number, frequency: number, monetary: number, single = false): RfmScores => ({
  recency: recency as Score,
  frequency: frequency as Score,
  monetary: monetary as Score,
  single,
});

describe('segmentOf', () => {
  it.each<[RfmScores, Segment]>([
    [scores(5, 5, 5), 'champions'],
    [scores(4, 4, 4), 'champions'],
    [scores(4, 3, 5), 'champions'],
    [scores(5, 1, 1, true), 'new'],
    [scores(4, 3, 3, true), 'new'],
    [scores(5, 5, 5, true), 'champions'],
    [scores(5, 3, 3), 'loyal'],
    [scores(3, 5, 5), 'loyal'],
    [scores(3, 3, 3), 'loyal'],
    [scores(5, 2, 3), 'promising'],
    [scores(4, 1, 1), 'promising'],
    [scores(2, 5, 5), 'at_risk'],
    [scores(1, 3, 3), 'at_risk'],
    [scores(3, 2, 3), 'needs_attention'],
    [scores(3, 1, 1, true), 'needs_attention'],
    [scores(2, 2, 3), 'hibernating'],
    [scores(1, 1, 1, true), 'hibernating'],
  ])('names %o %s', (given, segment) => {
    expect(segmentOf(given)).toBe(segment);
  });

  it('names every one of the 250 combinations of scores', () => {
    const named = new Set<Segment>();
    for (let recency = 1; recency <= 5; recency += 1)
      for (let frequency = 1; frequency <= 5; frequency += 1)
        for (let monetary = 1; monetary <= 5; monetary += 1)
          for (const single of [false, true])
            named.add(segmentOf(scores(recency, frequency, monetary, single)));
    expect([...named].sort()).toEqual(
      ['at_risk', 'champions', 'hibernating', 'loyal', 'needs_attention', 'new', 'promising'].sort(),
    );
  });
});

describe('segmentCounts', () => {
  const cell = (given: RfmScores, members: bigint, activities: bigint, monetaryTotal: bigint): RfmCell => ({
    ...given,
    members,
    activities,
    monetaryTotal,
  });

  it('adds the cells of a segment up and lists empty segments as zero, in the table order', () => {
    const counts = segmentCounts([
      cell(scores(5, 5, 5), 2n, 10n, 5000n),
      cell(scores(4, 4, 5), 1n, 4n, 2500n),
      cell(scores(1, 1, 1, true), 3n, 3n, 90n),
    ]);
    expect(counts.map((figures) => figures.segment)).toEqual([
      'champions',
      'new',
      'loyal',
      'promising',
      'at_risk',
      'needs_attention',
      'hibernating',
    ]);
    expect(counts.find((figures) => figures.segment === 'champions')).toEqual({
      segment: 'champions',
      members: 3n,
      activities: 14n,
      monetaryTotal: 7500n,
    });
    expect(counts.find((figures) => figures.segment === 'hibernating')?.members).toBe(3n);
    expect(counts.find((figures) => figures.segment === 'loyal')?.members).toBe(0n);
  });

  it('counts nothing from no cells', () => {
    expect(segmentCounts([]).every((figures) => figures.members === 0n)).toBe(true);
  });
});
