import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  burnOrder,
  compareExpiry,
  creditLots,
  dueReminder,
  type ExpiryPortion,
  lotExpiry,
  normalizeProfile,
  profilePoints,
  profileSlice,
  scaleProfile,
  takeFromLots,
} from './point-lots.ts';

const at = (iso: string) => new Date(iso);
const day = 86_400_000;

const expiry = fc.option(
  fc.integer({ min: 0, max: 3_650 }).map((days) => new Date(Date.UTC(2027, 0, 1) + days * day)),
  { nil: null },
);
const lots = fc
  .array(fc.record({ remainingPoints: fc.bigInt({ min: 0n, max: 10_000n }), expiresAt: expiry }), {
    maxLength: 12,
  })
  .map((rows) => rows.map((row, index) => ({ ...row, id: BigInt(index + 1) })));
const profile = fc.array(fc.record({ points: fc.bigInt({ min: 1n, max: 1_000_000n }), expiresAt: expiry }), {
  minLength: 1,
  maxLength: 10,
});

/** Every point of a profile, one expiry per point, soonest first (for small figures). */
function pointByPoint(portions: readonly ExpiryPortion[]): (number | null)[] {
  return normalizeProfile(portions).flatMap((portion) =>
    Array.from({ length: Number(portion.points) }, () => portion.expiresAt?.getTime() ?? null),
  );
}

describe('lot expiry rules', () => {
  it('never, months after earning (clamped to the month end), end of the Nth calendar year', () => {
    const earned = at('2026-01-31T10:15:00Z');
    expect(lotExpiry({ kind: 'never' }, earned)).toBeNull();
    expect(lotExpiry({ kind: 'months_after_earning', months: 1 }, earned)).toEqual(
      at('2026-02-28T10:15:00Z'),
    );
    expect(lotExpiry({ kind: 'months_after_earning', months: 13 }, earned)).toEqual(
      at('2027-02-28T10:15:00Z'),
    );
    expect(lotExpiry({ kind: 'months_after_earning', months: 12 }, at('2028-02-29T00:00:00Z'))).toEqual(
      at('2029-02-28T00:00:00Z'),
    );
    expect(lotExpiry({ kind: 'end_of_calendar_year', years: 1 }, earned)).toEqual(at('2027-01-01T00:00:00Z'));
    expect(lotExpiry({ kind: 'end_of_calendar_year', years: 2 }, at('2026-12-31T23:59:59Z'))).toEqual(
      at('2028-01-01T00:00:00Z'),
    );
  });

  it('a later earning never expires sooner', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000 * day }),
        fc.integer({ min: 0, max: 400 * day }),
        fc.integer({ min: 1, max: 60 }),
        (offset, later, months) => {
          const first = new Date(Date.UTC(2026, 0, 1) + offset);
          const second = new Date(first.getTime() + later);
          for (const rule of [
            { kind: 'months_after_earning' as const, months },
            { kind: 'end_of_calendar_year' as const, years: (months % 5) + 1 },
          ]) {
            const a = lotExpiry(rule, first);
            const b = lotExpiry(rule, second);
            expect(compareExpiry(a, b)).toBeLessThanOrEqual(0);
            expect(a && a > first).toBe(true);
          }
        },
      ),
    );
  });
});

describe('FIFO burn', () => {
  it('takes the soonest-expiring lots first, never-expiring last, oldest first among equals', () => {
    const ordered = burnOrder([
      { id: 1n, remainingPoints: 100n, expiresAt: null },
      { id: 2n, remainingPoints: 100n, expiresAt: at('2027-06-01T00:00:00Z') },
      { id: 3n, remainingPoints: 100n, expiresAt: at('2027-01-01T00:00:00Z') },
      { id: 4n, remainingPoints: 100n, expiresAt: at('2027-01-01T00:00:00Z') },
    ]);
    expect(ordered.map((lot) => lot.id)).toEqual([3n, 4n, 2n, 1n]);
    expect(takeFromLots(ordered, 250n)).toEqual([
      { lotId: 3n, points: 100n, expiresAt: at('2027-01-01T00:00:00Z') },
      { lotId: 4n, points: 100n, expiresAt: at('2027-01-01T00:00:00Z') },
      { lotId: 2n, points: 50n, expiresAt: at('2027-06-01T00:00:00Z') },
    ]);
    expect(takeFromLots(ordered, 401n)).toBeUndefined();
  });

  it('takes exactly the points, no lot past what it holds, and leaves nothing sooner than what it took', () => {
    fc.assert(
      fc.property(lots, fc.bigInt({ min: 1n, max: 150_000n }), (rows, points) => {
        const ordered = burnOrder(rows);
        const taken = takeFromLots(ordered, points);
        const held = rows.reduce((sum, lot) => sum + lot.remainingPoints, 0n);
        if (held < points) {
          expect(taken).toBeUndefined();
          return;
        }
        expect(taken).toBeDefined();
        expect(taken?.reduce((sum, part) => sum + part.points, 0n)).toBe(points);
        const takenFrom = new Map(taken?.map((part) => [part.lotId, part.points]));
        for (const lot of rows) expect(takenFrom.get(lot.id) ?? 0n).toBeLessThanOrEqual(lot.remainingPoints);
        // What is left never expires sooner than the latest expiry taken.
        const latestTaken = taken?.reduce<Date | null | undefined>(
          (latest, part) =>
            latest === undefined || compareExpiry(part.expiresAt, latest) > 0 ? part.expiresAt : latest,
          undefined,
        );
        for (const lot of rows) {
          const left = lot.remainingPoints - (takenFrom.get(lot.id) ?? 0n);
          if (left > 0n && latestTaken !== undefined) {
            expect(compareExpiry(lot.expiresAt, latestTaken)).toBeGreaterThanOrEqual(0);
          }
        }
      }),
    );
  });

  it('burns a preferred lot (a reversed credit) before any other', () => {
    const ordered = burnOrder(
      [
        { id: 1n, remainingPoints: 10n, expiresAt: at('2027-01-01T00:00:00Z') },
        { id: 2n, remainingPoints: 10n, expiresAt: null },
      ],
      (lot) => lot.id === 2n,
    );
    expect(ordered.map((lot) => lot.id)).toEqual([2n, 1n]);
  });
});

describe('a transfer carries the expiry of what paid for it', () => {
  it('scales a profile to the points credited, rounding toward the sooner portions', () => {
    const soon = at('2027-01-01T00:00:00Z');
    expect(
      scaleProfile(
        [
          { points: 5n, expiresAt: null },
          { points: 5n, expiresAt: soon },
        ],
        7n,
      ),
    ).toEqual([
      { points: 4n, expiresAt: soon },
      { points: 3n, expiresAt: null },
    ]);
  });

  it('keeps the total, and never lengthens any point’s life against an exact share', () => {
    fc.assert(
      fc.property(profile, fc.bigInt({ min: 0n, max: 2_000_000n }), (paidFrom, points) => {
        const scaled = scaleProfile(paidFrom, points);
        expect(profilePoints(scaled)).toBe(points);
        // For every instant, the points expiring by then are at least their exact share.
        const total = profilePoints(paidFrom);
        const source = normalizeProfile(paidFrom);
        for (const cut of source) {
          const by = (portions: ExpiryPortion[]) =>
            portions
              .filter((portion) => compareExpiry(portion.expiresAt, cut.expiresAt) <= 0)
              .reduce((sum, portion) => sum + portion.points, 0n);
          expect(by(scaled) * total).toBeGreaterThanOrEqual(by(source) * points);
        }
      }),
    );
  });

  it('point by point, a scaled-down credit expires no later than the points that paid for it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ points: fc.bigInt({ min: 1n, max: 30n }), expiresAt: expiry }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.integer({ min: 1, max: 100 }),
        (paidFrom, percent) => {
          const total = profilePoints(paidFrom);
          const points = (total * BigInt(percent)) / 100n;
          if (points === 0n) return;
          const credited = pointByPoint(scaleProfile(paidFrom, points));
          const paid = pointByPoint(paidFrom);
          // The i-th credited point (soonest first) expires no later than the paid point at its share.
          credited.forEach((expiresAt, index) => {
            const matching = paid[Math.floor((index * Number(total)) / Number(points))] ?? null;
            expect(
              compareExpiry(
                expiresAt === null ? null : new Date(expiresAt),
                matching === null ? null : new Date(matching),
              ),
            ).toBeLessThanOrEqual(0);
          });
        },
      ),
    );
  });

  it('caps every portion at the target rule', () => {
    const soon = at('2027-01-10T00:00:00Z');
    const rule = at('2027-12-01T00:00:00Z');
    const carried = [
      { points: 60n, expiresAt: soon },
      { points: 40n, expiresAt: null },
    ];
    expect(creditLots({ points: 50n, ruleExpiry: rule, carried })).toEqual([
      { points: 30n, expiresAt: soon },
      { points: 20n, expiresAt: rule },
    ]);
    expect(creditLots({ points: 50n, ruleExpiry: null })).toEqual([{ points: 50n, expiresAt: null }]);
  });
});

describe('points given back from a payment', () => {
  it('are the slice of what paid after the points kept, point by point', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ points: fc.bigInt({ min: 1n, max: 30n }), expiresAt: expiry }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (paidFrom, skipPercent, takePercent) => {
          const total = profilePoints(paidFrom);
          const skip = (total * BigInt(skipPercent)) / 100n;
          const take = ((total - skip) * BigInt(takePercent)) / 100n;
          const slice = profileSlice(paidFrom, skip, take);
          expect(pointByPoint(slice)).toEqual(
            pointByPoint(paidFrom).slice(Number(skip), Number(skip + take)),
          );
        },
      ),
    );
  });
});

describe('reminders', () => {
  const expiresAt = at('2027-03-31T00:00:00Z');

  it('is due at the fewest days ahead whose time has come, and never once expired', () => {
    expect(dueReminder(expiresAt, at('2027-02-28T00:00:00Z'), [30, 7])).toBeUndefined();
    expect(dueReminder(expiresAt, at('2027-03-01T00:00:00Z'), [30, 7])).toBe(30);
    expect(dueReminder(expiresAt, at('2027-03-24T00:00:00Z'), [30, 7])).toBe(7);
    expect(dueReminder(expiresAt, at('2027-03-30T23:59:59Z'), [30, 7])).toBe(7);
    expect(dueReminder(expiresAt, expiresAt, [30, 7])).toBeUndefined();
    expect(dueReminder(expiresAt, at('2027-03-01T00:00:00Z'), [])).toBeUndefined();
  });

  it('over time, each reminder comes at most once and in order of days ahead', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 90 }), { maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 100 * day }), { maxLength: 40 }),
        (days, offsets) => {
          const sent: number[] = [];
          for (const offset of [...offsets].sort((a, b) => a - b)) {
            const due = dueReminder(expiresAt, new Date(expiresAt.getTime() - 100 * day + offset), days);
            if (due !== undefined && !sent.includes(due)) sent.push(due);
          }
          expect([...sent].sort((a, b) => b - a)).toEqual(sent);
        },
      ),
    );
  });
});
