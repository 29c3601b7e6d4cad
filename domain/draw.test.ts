import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalEntries,
  drawScheme,
  drawWinners,
  entriesHash,
  newDrawSeed,
  type PublishedDraw,
  readPublishedDraw,
  seedCommitment,
  verifyDraw,
} from './draw.ts';

const seed = Buffer.from(Array.from({ length: 32 }, (_, index) => index)).toString('hex');
const entries = Array.from({ length: 10 }, (_, index) => `ord_${String(index).padStart(2, '0')}`);

function published(entryIds: string[], winnersWanted: number, seedHex = seed): PublishedDraw {
  return {
    scheme: drawScheme,
    itemId: 'itm_test',
    winnersWanted,
    commitment: seedCommitment(seedHex),
    seed: seedHex,
    entries: canonicalEntries(entryIds),
    entriesHash: entriesHash(entryIds),
    winners: drawWinners({ seed: seedHex, entryIds, winners: winnersWanted }),
  };
}

describe('the draw scheme', () => {
  it('gives the answers an independent implementation gives (Python, docs/draws.md)', () => {
    expect(seedCommitment(seed)).toBe('630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd');
    expect(entriesHash(entries)).toBe('6376fbb8ec9c2ae5bf574207d515f3aaa33168cc9dcd81853b848149f1059d71');
    expect(drawWinners({ seed, entryIds: entries, winners: 3 })).toEqual(['ord_03', 'ord_02', 'ord_01']);
  });

  it('is deterministic, whatever order the entries come in', () => {
    const shuffled = [...entries].reverse();
    expect(entriesHash(shuffled)).toBe(entriesHash(entries));
    expect(drawWinners({ seed, entryIds: shuffled, winners: 4 })).toEqual(
      drawWinners({ seed, entryIds: entries, winners: 4 }),
    );
  });

  it('verifies what it published, and names each thing that no longer adds up', () => {
    const draw = published(entries, 3);
    expect(verifyDraw(draw)).toEqual({ ok: true, problems: [] });

    const otherSeed = newDrawSeed();
    expect(verifyDraw({ ...draw, seed: otherSeed }).problems[0]).toMatch(/not the published commitment/);

    // One entry changed: the list no longer hashes to what was published.
    const changed = draw.entries.map((entryId) => (entryId === 'ord_07' ? 'ord_07x' : entryId));
    expect(entriesHash(changed)).not.toBe(draw.entriesHash);
    expect(verifyDraw({ ...draw, entries: changed })).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/not the published entriesHash/), expect.stringMatching(/winners/)],
    });
    // Even with its hash recomputed, the same seed draws other winners than those published.
    expect(verifyDraw({ ...draw, entries: changed, entriesHash: entriesHash(changed) })).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^the winners recompute as/)],
    });

    expect(verifyDraw({ ...draw, winners: [...draw.winners].reverse() }).ok).toBe(false);
    expect(verifyDraw({ ...draw, entries: [...draw.entries].reverse() }).problems).toContain(
      'the entries are not in canonical (ascending) order',
    );
  });

  it('draws distinct winners, min(winners, entries) of them, from the entries', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uniqueArray(fc.stringMatching(/^ord_[0-9a-z]{1,8}$/), { maxLength: 60 }),
        fc.integer({ min: 1, max: 80 }),
        (seedBytes, entryIds, winners) => {
          const seedHex = Buffer.from(seedBytes).toString('hex');
          const drawn = drawWinners({ seed: seedHex, entryIds, winners });
          expect(drawn).toHaveLength(Math.min(winners, entryIds.length));
          expect(new Set(drawn).size).toBe(drawn.length);
          expect(drawn.every((entryId) => entryIds.includes(entryId))).toBe(true);
          expect(verifyDraw(published(entryIds, winners, seedHex)).ok).toBe(true);
        },
      ),
    );
  });

  it('gives every entry the same chance of winning', () => {
    const wins = new Map(entries.map((entryId) => [entryId, 0]));
    const rounds = 5_000;
    for (let round = 0; round < rounds; round += 1) {
      const [first] = drawWinners({ seed: newDrawSeed(), entryIds: entries, winners: 1 });
      wins.set(first ?? '', (wins.get(first ?? '') ?? 0) + 1);
    }
    // 500 expected each; ±150 is more than six standard deviations (√(5000·0.1·0.9) ≈ 21).
    for (const count of wins.values()) expect(Math.abs(count - rounds / 10)).toBeLessThan(150);
  });

  it('reads a published result, and says why one cannot be checked', () => {
    expect(readPublishedDraw(published(entries, 2))).toHaveProperty('draw');
    expect(readPublishedDraw({ ...published(entries, 2), seed: null })).toEqual({
      problem: 'seed is not revealed: the draw has not closed yet',
    });
    // An open draw, as GET …/result shows it: no seed, no entries hash yet.
    const open = {
      ...published(entries, 2),
      status: 'open',
      seed: null,
      entries: null,
      entriesHash: null,
      winners: null,
    };
    expect(readPublishedDraw(open)).toEqual({ problem: 'seed is not revealed: the draw has not closed yet' });
    expect(readPublishedDraw({ ...published(entries, 2), winners: [1] })).toEqual({
      problem: 'winners is not a list of entry ids',
    });
  });
});
