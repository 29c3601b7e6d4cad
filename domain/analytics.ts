// Alliance analytics' rules: how a member's recency, frequency and monetary value become scores
// from 1 to 5, how the three scores name a segment, and how the database's score cells add up to
// segment counts. The figures themselves are computed in SQL (store/analytics.ts); this module
// decides what they mean.

/**
 * Recency is scored against fixed thresholds in days, not against the other members: a member
 * active yesterday is recent however quiet the rest of the programme is. At most 7 days since the
 * last transfer or redemption scores 5, at most 30 scores 4, 90 scores 3, 180 scores 2, older 1.
 * store/analytics.ts passes these same thresholds to its SQL.
 */
export const recencyScoreThresholdsDays = [7, 30, 90, 180] as const;

export type Score = 1 | 2 | 3 | 4 | 5;

export function recencyScore(daysSinceLast: number): Score {
  if (!(daysSinceLast >= 0)) throw new Error(`recency must be zero or more days, not ${daysSinceLast}`);
  const below = recencyScoreThresholdsDays.findIndex((threshold) => daysSinceLast <= threshold);
  return (below === -1 ? 1 : 5 - below) as Score;
}

/**
 * Frequency and monetary value are scored by quintile of the member's mid-rank among the members
 * of the same programme (or currency, across the alliance): the mid-rank is the average of
 * `percent_rank` and `cume_dist`, so members with equal figures share a score, and when every
 * member has the same figure they all score 3 rather than all 1 or all 5.
 * This is the rule the SQL applies; here for the tests and for anyone reading the figures.
 */
export function quintileScore(percentRank: number, cumeDist: number): Score {
  if (!(percentRank >= 0 && percentRank <= 1 && cumeDist > 0 && cumeDist <= 1)) {
    throw new Error(`ranks out of range: percent_rank ${percentRank}, cume_dist ${cumeDist}`);
  }
  return Math.min(5, 1 + Math.floor(((percentRank + cumeDist) / 2) * 5)) as Score;
}

export const segments = [
  'champions',
  'new',
  'loyal',
  'promising',
  'at_risk',
  'needs_attention',
  'hibernating',
] as const;

export type Segment = (typeof segments)[number];

export interface RfmScores {
  recency: Score;
  frequency: Score;
  monetary: Score;
  /** True when the member did exactly one transfer or redemption in the window. */
  single: boolean;
}

/**
 * The segment of a member's scores: the first row that matches, with FM the average of the
 * frequency and monetary scores.
 *
 * | segment          | recency | FM    | also                          |
 * | ---------------- | ------- | ----- | ----------------------------- |
 * | champions        | 4–5     | ≥ 4   |                               |
 * | new              | 4–5     |       | exactly one activity          |
 * | loyal            | 3–5     | ≥ 3   |                               |
 * | promising        | 4–5     | < 3   |                               |
 * | at_risk          | 1–2     | ≥ 3   | was worth a lot, gone quiet   |
 * | needs_attention  | 3       | < 3   |                               |
 * | hibernating      | 1–2     | < 3   |                               |
 */
export function segmentOf(scores: RfmScores): Segment {
  const { recency } = scores;
  const fm = (scores.frequency + scores.monetary) / 2;
  if (recency >= 4 && fm >= 4) return 'champions';
  if (recency >= 4 && scores.single) return 'new';
  if (recency >= 3 && fm >= 3) return 'loyal';
  if (recency >= 4) return 'promising';
  if (fm >= 3) return 'at_risk';
  if (recency === 3) return 'needs_attention';
  return 'hibernating';
}

/** Members sharing one combination of scores, as the SQL groups them. */
export interface RfmCell extends RfmScores {
  members: bigint;
  /** The members' transfers and redemptions in the window, added up. */
  activities: bigint;
  /** Their monetary value added up: points of the programme, or minor units across the alliance. */
  monetaryTotal: bigint;
}

export interface SegmentFigures {
  segment: Segment;
  members: bigint;
  activities: bigint;
  monetaryTotal: bigint;
}

/** Every segment, in the table's order, with the members of its cells added up (zero when none). */
export function segmentCounts(cells: readonly RfmCell[]): SegmentFigures[] {
  const totals = new Map<Segment, SegmentFigures>(
    segments.map((segment) => [segment, { segment, members: 0n, activities: 0n, monetaryTotal: 0n }]),
  );
  for (const cell of cells) {
    const total = totals.get(segmentOf(cell));
    if (!total) throw new Error('segmentOf returned a segment outside the table');
    total.members += cell.members;
    total.activities += cell.activities;
    total.monetaryTotal += cell.monetaryTotal;
  }
  return [...totals.values()];
}

/** An analytics window: from (inclusive) to (exclusive), recency measured at its end. */
export interface AnalyticsWindow {
  from: Date;
  to: Date;
}

export const analyticsWindowDaysMax = 366;
export const analyticsWindowDaysDefault = 90;
