// A points draw's fairness, the part anyone can recompute (docs/draws.md says it step by step, with
// a Python version). The gateway commits to a secret seed before the first entry by publishing its
// SHA-256, freezes the entry list at the close, and only then reveals the seed. The winners follow
// from the seed and the list's hash alone, so the gateway cannot choose them after seeing the
// entries without breaking its commitment, and no entry can be added, dropped or changed afterwards
// without the published hash or the winners giving it away. The gateway and `npm run verify-draw`
// both use this module.
import { createHash, randomBytes } from 'node:crypto';

/** Names this exact scheme in every published result, so a later change of scheme is a new name. */
export const drawScheme = 'sha256-fisher-yates/v1';

const seedBytes = 32;

export interface DrawTerms {
  /** How many entries win (fewer when fewer entered). */
  winners: number;
  prize: { description: string; couponItemId: string | null };
  /** A coupon every losing entry receives; none: losers get nothing. */
  consolationCouponItemId: string | null;
  closesAt: Date;
}

/** A new secret seed: 32 random bytes, as 64 lower-case hex digits. */
export function newDrawSeed(random: (size: number) => Buffer = randomBytes): string {
  return random(seedBytes).toString('hex');
}

const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

function seedOf(seedHex: string): Buffer {
  if (!/^[0-9a-f]{64}$/.test(seedHex)) throw new Error('a seed is 64 lower-case hex digits');
  return Buffer.from(seedHex, 'hex');
}

/** What is published before the first entry: SHA-256 of the seed's 32 bytes, in hex. */
export function seedCommitment(seedHex: string): string {
  return sha256(seedOf(seedHex)).toString('hex');
}

/** Entries in canonical order: ascending by their UTF-8 bytes (ids are ASCII, so plain text order). */
export function canonicalEntries(entryIds: readonly string[]): string[] {
  return [...entryIds].sort((left, right) => Buffer.compare(Buffer.from(left), Buffer.from(right)));
}

function entriesDigest(sortedEntryIds: readonly string[]): Buffer {
  return sha256(Buffer.from(sortedEntryIds.map((entryId) => `${entryId}\n`).join(''), 'utf8'));
}

/** SHA-256, in hex, of every entry id in canonical order, each followed by a line feed. */
export function entriesHash(entryIds: readonly string[]): string {
  return entriesDigest(canonicalEntries(entryIds)).toString('hex');
}

/**
 * An endless stream of unsigned 64-bit integers: the SHA-256 blocks of seed ‖ entries hash ‖ a
 * 64-bit big-endian counter from 0, each block read as four big-endian integers.
 */
function* randomStream(seed: Buffer, digest: Buffer): Generator<bigint, never> {
  for (let counter = 0n; ; counter += 1n) {
    const counterBytes = Buffer.alloc(8);
    counterBytes.writeBigUInt64BE(counter);
    const block = sha256(seed, digest, counterBytes);
    for (let offset = 0; offset < 32; offset += 8) yield block.readBigUInt64BE(offset);
  }
}

const two64 = 1n << 64n;

/** A uniform integer in [0, bound): values past the last whole multiple of the bound are skipped. */
function uniformBelow(stream: Generator<bigint, never>, bound: number): number {
  const size = BigInt(bound);
  const limit = two64 - (two64 % size);
  for (;;) {
    const value = stream.next().value;
    if (value < limit) return Number(value % size);
  }
}

/**
 * The winning entries, in the order they were drawn: a Fisher–Yates shuffle of the entries in
 * canonical order, stopped after min(winners, entries) places, position i swapped with
 * i + uniform(n − i).
 */
export function drawWinners(input: { seed: string; entryIds: readonly string[]; winners: number }): string[] {
  const entries = canonicalEntries(input.entryIds);
  const stream = randomStream(seedOf(input.seed), entriesDigest(entries));
  const count = Math.min(input.winners, entries.length);
  for (let index = 0; index < count; index += 1) {
    const other = index + uniformBelow(stream, entries.length - index);
    [entries[index], entries[other]] = [entries[other] as string, entries[index] as string];
  }
  return entries.slice(0, count);
}

/** What a closed draw publishes; `npm run verify-draw` reads a saved copy. */
export interface PublishedDraw {
  scheme: string;
  itemId: string;
  winnersWanted: number;
  commitment: string;
  seed: string;
  entries: string[];
  entriesHash: string;
  winners: string[];
}

/** The published fields a check needs, or what is missing or of the wrong type. */
export function readPublishedDraw(value: unknown): { draw: PublishedDraw } | { problem: string } {
  if (typeof value !== 'object' || value === null) return { problem: 'not a JSON object' };
  const record = value as Record<string, unknown>;
  // An open draw publishes its commitment only: say so, not that its hash is missing.
  if (record.status === 'open' || (record.seed === null && record.entriesHash === null)) {
    return { problem: 'seed is not revealed: the draw has not closed yet' };
  }
  for (const field of ['scheme', 'itemId', 'commitment', 'entriesHash'] as const) {
    if (typeof record[field] !== 'string') return { problem: `${field} is not a string` };
  }
  if (typeof record.seed !== 'string') {
    return { problem: 'seed is not revealed: the draw has not closed yet' };
  }
  if (!Number.isSafeInteger(record.winnersWanted) || (record.winnersWanted as number) < 1) {
    return { problem: 'winnersWanted is not a positive whole number' };
  }
  for (const field of ['entries', 'winners'] as const) {
    const list = record[field];
    if (!Array.isArray(list) || list.some((entry) => typeof entry !== 'string')) {
      return { problem: `${field} is not a list of entry ids` };
    }
  }
  return { draw: record as unknown as PublishedDraw };
}

/** Recomputes everything a closed draw published; each difference is named. */
export function verifyDraw(draw: PublishedDraw): { ok: boolean; problems: string[] } {
  const problems: string[] = [];
  if (draw.scheme !== drawScheme) {
    return { ok: false, problems: [`scheme ${draw.scheme} is not ${drawScheme}, the one this check knows`] };
  }
  if (!/^[0-9a-f]{64}$/.test(draw.seed)) {
    return { ok: false, problems: ['the seed is not 64 lower-case hex digits'] };
  }
  const commitment = seedCommitment(draw.seed);
  if (commitment !== draw.commitment) {
    problems.push(`sha256(seed) is ${commitment}, not the published commitment ${draw.commitment}`);
  }
  const canonical = canonicalEntries(draw.entries);
  if (new Set(canonical).size !== canonical.length) problems.push('an entry is listed more than once');
  else if (canonical.some((entryId, index) => entryId !== draw.entries[index])) {
    problems.push('the entries are not in canonical (ascending) order');
  }
  const hash = entriesHash(draw.entries);
  if (hash !== draw.entriesHash) {
    problems.push(`the entries hash to ${hash}, not the published entriesHash ${draw.entriesHash}`);
  }
  const winners = drawWinners({ seed: draw.seed, entryIds: draw.entries, winners: draw.winnersWanted });
  if (
    winners.length !== draw.winners.length ||
    winners.some((entryId, index) => entryId !== draw.winners[index])
  ) {
    problems.push(
      `the winners recompute as [${winners.join(', ')}], not the published [${draw.winners.join(', ')}]`,
    );
  }
  return { ok: problems.length === 0, problems };
}
