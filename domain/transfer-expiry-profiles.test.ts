import { describe, expect, it } from 'vitest';
import { creditProfile, lifeFloor } from './transfer-expiry-profiles.ts';

const at = (iso: string) => new Date(iso);

describe('a transfer credit’s expiry', () => {
  const paidWith = [
    { points: 100n, expiresAt: at('2026-12-05T00:00:00Z') },
    { points: 300n, expiresAt: at('2027-06-01T00:00:00Z') },
    { points: 100n, expiresAt: null },
  ];

  it('keeps what paid, scaled to the credit, without a minimum life', () => {
    expect(creditProfile(paidWith, 50n, null)).toEqual([
      { points: 10n, expiresAt: at('2026-12-05T00:00:00Z') },
      { points: 30n, expiresAt: at('2027-06-01T00:00:00Z') },
      { points: 10n, expiresAt: null },
    ]);
  });

  it('lifts only the portions that would expire before the floor, and merges equal expiries', () => {
    const floor = lifeFloor(at('2026-11-30T00:00:00Z'), 90);
    expect(floor).toEqual(at('2027-02-28T00:00:00Z'));
    expect(creditProfile(paidWith, 50n, floor)).toEqual([
      { points: 10n, expiresAt: at('2027-02-28T00:00:00Z') },
      { points: 30n, expiresAt: at('2027-06-01T00:00:00Z') },
      { points: 10n, expiresAt: null },
    ]);
    const farFloor = lifeFloor(at('2026-11-30T00:00:00Z'), 365);
    expect(creditProfile(paidWith, 50n, farFloor)).toEqual([
      { points: 40n, expiresAt: at('2027-11-30T00:00:00Z') },
      { points: 10n, expiresAt: null },
    ]);
  });

  it('counts the floor from the transfer, so a retried credit carries the same profile', () => {
    expect(lifeFloor(at('2026-11-30T12:00:00Z'), null)).toBeNull();
    expect(lifeFloor(at('2026-11-30T12:00:00Z'), 7)).toEqual(at('2026-12-07T12:00:00Z'));
    expect(() => lifeFloor(at('2026-11-30T12:00:00Z'), 0)).toThrow();
  });
});
