// Points kept in lots: each credit is a lot with its expiry, and a debit burns the soonest-expiring
// lots first, so the points a member loses to expiry are never the ones spent. The rules here are the
// only ones: which instant a programme's rule gives a new lot, which lots a debit takes, what a
// transfer's credit may carry of the lots it was paid from, and when a reminder is due.
import { assert, divideCeil, minBigint } from './arithmetic.ts';

/** Points with one expiry; expiresAt null: they never expire. */
export interface ExpiryPortion {
  points: bigint;
  expiresAt: Date | null;
}

/** What some points are made of, soonest expiry first, never-expiring last, one portion per instant. */
export type ExpiryProfile = ExpiryPortion[];

/**
 * A programme's rule for the lots its credits make. Calendar years count the year of earning as the
 * first: `years: 1` expires at the end of the year the points were earned. Instants are UTC.
 */
export type ExpiryRule =
  | { kind: 'never' }
  | { kind: 'months_after_earning'; months: number }
  | { kind: 'end_of_calendar_year'; years: number };

export const expiryPeriodMax = 100;
export const reminderDaysMax = 3_650;

export function checkExpiryRule(rule: ExpiryRule): void {
  if (rule.kind === 'months_after_earning')
    assert(
      Number.isInteger(rule.months) && rule.months >= 1 && rule.months <= expiryPeriodMax * 12,
      'months',
    );
  if (rule.kind === 'end_of_calendar_year')
    assert(Number.isInteger(rule.years) && rule.years >= 1 && rule.years <= expiryPeriodMax, 'years');
}

/**
 * When points earned at `earnedAt` expire under the rule. A month later is the same day of the month,
 * or the month's last day when it has no such day (31 January + 1 month = 28 or 29 February).
 */
export function lotExpiry(rule: ExpiryRule, earnedAt: Date): Date | null {
  checkExpiryRule(rule);
  if (rule.kind === 'never') return null;
  if (rule.kind === 'end_of_calendar_year') {
    return new Date(Date.UTC(earnedAt.getUTCFullYear() + rule.years, 0, 1));
  }
  const monthIndex = earnedAt.getUTCMonth() + rule.months;
  const year = earnedAt.getUTCFullYear() + Math.floor(monthIndex / 12);
  const month = monthIndex % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(earnedAt.getUTCDate(), lastDay);
  return new Date(
    Date.UTC(
      year,
      month,
      day,
      earnedAt.getUTCHours(),
      earnedAt.getUTCMinutes(),
      earnedAt.getUTCSeconds(),
      earnedAt.getUTCMilliseconds(),
    ),
  );
}

/** Soonest first; never-expiring points last. */
export function compareExpiry(left: Date | null, right: Date | null): number {
  if (left === null) return right === null ? 0 : 1;
  if (right === null) return -1;
  return left.getTime() - right.getTime();
}

/** The sooner of two expiries (null = never). */
export function earlierExpiry(left: Date | null, right: Date | null): Date | null {
  return compareExpiry(left, right) <= 0 ? left : right;
}

/** Sorted soonest first, equal instants merged, empty portions dropped. */
export function normalizeProfile(portions: readonly ExpiryPortion[]): ExpiryProfile {
  const merged = new Map<number | null, bigint>();
  for (const portion of portions) {
    assert(portion.points >= 0n, 'a portion has no negative points');
    if (portion.points === 0n) continue;
    const at = portion.expiresAt?.getTime() ?? null;
    merged.set(at, (merged.get(at) ?? 0n) + portion.points);
  }
  return [...merged]
    .map(([at, points]) => ({ points, expiresAt: at === null ? null : new Date(at) }))
    .sort((left, right) => compareExpiry(left.expiresAt, right.expiresAt));
}

export function profilePoints(profile: readonly ExpiryPortion[]): bigint {
  return profile.reduce((sum, portion) => sum + portion.points, 0n);
}

export interface BurnableLot {
  id: bigint;
  remainingPoints: bigint;
  expiresAt: Date | null;
}

/**
 * The order lots are burnt in: soonest expiry first, then the oldest lot. A lot in `preferred` (a
 * reversal takes back the points its credit made) goes before all others, in the same order.
 */
export function burnOrder<Lot extends BurnableLot>(
  lots: readonly Lot[],
  preferred?: (lot: Lot) => boolean,
): Lot[] {
  const rank = (lot: Lot) => (preferred?.(lot) ? 0 : 1);
  return [...lots].sort(
    (left, right) =>
      rank(left) - rank(right) ||
      compareExpiry(left.expiresAt, right.expiresAt) ||
      (left.id < right.id ? -1 : left.id > right.id ? 1 : 0),
  );
}

export interface LotTaken {
  lotId: bigint;
  points: bigint;
  expiresAt: Date | null;
}

/**
 * Takes `points` from lots already in burn order, each lot as far as it goes before the next.
 * Undefined when the lots hold fewer points: the caller's counters say they cannot.
 */
export function takeFromLots(lotsInOrder: readonly BurnableLot[], points: bigint): LotTaken[] | undefined {
  assert(points > 0n, 'a debit takes a positive amount');
  const taken: LotTaken[] = [];
  let left = points;
  for (const lot of lotsInOrder) {
    if (left === 0n) break;
    if (lot.remainingPoints <= 0n) continue;
    const part = minBigint(lot.remainingPoints, left);
    taken.push({ lotId: lot.id, points: part, expiresAt: lot.expiresAt });
    left -= part;
  }
  return left === 0n ? taken : undefined;
}

/**
 * The profile of `points` paid for with `paidFrom` (a transfer credits fewer or more points than it
 * debited, at its rate). Each portion keeps its share; the rounding of the shares goes to the sooner
 * portions (cumulative shares rounded up, soonest first), so scaling never lengthens any point's life.
 */
export function scaleProfile(paidFrom: readonly ExpiryPortion[], points: bigint): ExpiryProfile {
  const source = normalizeProfile(paidFrom);
  const total = profilePoints(source);
  assert(total > 0n, 'a profile to scale holds points');
  assert(points >= 0n, 'scaled to a non-negative amount');
  const scaled: ExpiryPortion[] = [];
  let cumulative = 0n;
  let given = 0n;
  for (const portion of source) {
    cumulative += portion.points;
    const upTo = divideCeil(points * cumulative, total);
    scaled.push({ points: upTo - given, expiresAt: portion.expiresAt });
    given = upTo;
  }
  return normalizeProfile(scaled);
}

/**
 * The `take` points of a profile that follow its first `skip` (soonest first). A payment captured in
 * part was paid with its soonest points; the rest it gives back are the later ones.
 */
export function profileSlice(profile: readonly ExpiryPortion[], skip: bigint, take: bigint): ExpiryProfile {
  assert(skip >= 0n && take >= 0n, 'a slice of a profile starts and runs on non-negative points');
  const slice: ExpiryPortion[] = [];
  let start = 0n;
  for (const portion of normalizeProfile(profile)) {
    const end = start + portion.points;
    const from = start > skip ? start : skip;
    const to = minBigint(end, skip + take);
    if (to > from) slice.push({ points: to - from, expiresAt: portion.expiresAt });
    start = end;
  }
  assert(profilePoints(slice) === take, 'a slice lies within its profile');
  return slice;
}

/**
 * The lots a credit makes. Each portion of the profile it carries (a transfer's, scaled to the
 * points credited) expires at the sooner of its own expiry and the programme's rule; without a
 * profile, every point takes the rule's. An agreement's minimum remaining life is already in the
 * profile a transfer carries (domain/transfer-expiry-profiles.ts), so the rule caps it here too.
 */
export function creditLots(input: {
  points: bigint;
  ruleExpiry: Date | null;
  carried?: readonly ExpiryPortion[] | undefined;
}): ExpiryProfile {
  assert(input.points > 0n, 'a credit makes a positive amount');
  const carried =
    input.carried && profilePoints(input.carried) > 0n
      ? scaleProfile(input.carried, input.points)
      : [{ points: input.points, expiresAt: null }];
  return normalizeProfile(
    carried.map((portion) => ({
      points: portion.points,
      expiresAt: earlierExpiry(portion.expiresAt, input.ruleExpiry),
    })),
  );
}

const dayMs = 86_400_000;

/**
 * Which reminder is due for points expiring at `expiresAt`: the fewest days ahead whose time has
 * come (a lot credited 5 days before its end gets the 7-day reminder, never the 30-day one as well,
 * and never the 30-day one later either). Undefined when none is due or the points have expired.
 */
export function dueReminder(expiresAt: Date, now: Date, daysAhead: readonly number[]): number | undefined {
  if (now >= expiresAt) return undefined;
  const due = daysAhead.filter((days) => now.getTime() >= expiresAt.getTime() - days * dayMs);
  return due.length === 0 ? undefined : Math.min(...due);
}

/** Reminder days as a programme keeps them: distinct, largest first. */
export function normalizeReminderDays(daysAhead: readonly number[]): number[] {
  for (const days of daysAhead)
    assert(Number.isInteger(days) && days >= 1 && days <= reminderDaysMax, 'reminder days in range');
  return [...new Set(daysAhead)].sort((left, right) => right - left);
}
