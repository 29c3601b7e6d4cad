// One interface for a partner's loyalty system, whoever keeps the points: the gateway's hosted
// ledger or the partner's own system over HTTP. Every call carries the step's idempotency key.
// A refusal is an answer ("no, for good"); a fault (timeout, 5xx, connection refused) is thrown, and
// the caller retries with the same key or asks for the outcome of that key before compensating.
import type { CatalogFeed } from '../domain/catalog-sync.ts';
import type { PartnerTransaction } from '../domain/partner-transaction.ts';
import type { ExpiryPortion } from '../domain/point-lots.ts';

export type PartnerRefusal = { outcome: 'refused'; code: string; detail: string };

export type PartnerAnswer = { outcome: 'done' } | PartnerRefusal;

/** A reservation's answer: with what the held points are made of, when the system keeps expiries. */
export type ReserveAnswer = { outcome: 'done'; expiryProfile?: ExpiryPortion[] } | PartnerRefusal;

/** A reversal takes what the member still has, up to the points asked: the answer says how many. */
export type ReverseAnswer = { outcome: 'done'; reversedPoints: bigint } | PartnerRefusal;

/** What became of a step: done, or abandoned (never happened, and now never will: the key is fenced). */
export type StepState = 'succeeded' | 'abandoned';

export interface PartnerBalance {
  accountRef: string;
  availablePoints: bigint;
  postedPoints: bigint;
}

export type { PartnerTransaction };

/** At most this many transactions come back from one call; a busier period is asked in parts. */
export const transactionsPageSizeMax = 5_000;

export interface LoyaltyAdapter {
  reserve(input: {
    key: string;
    accountRef: string;
    points: bigint;
    expiresAt: Date;
    reason: string;
  }): Promise<ReserveAnswer>;
  post(input: { key: string; reservationKey: string }): Promise<PartnerAnswer>;
  void(input: { key: string; reservationKey: string }): Promise<PartnerAnswer>;
  /** expiryProfile: what paid for the points (scaled to them); each part expires no later than it says. */
  credit(input: {
    key: string;
    accountRef: string;
    points: bigint;
    reason: string;
    expiryProfile?: readonly ExpiryPortion[] | undefined;
  }): Promise<PartnerAnswer>;
  /** Takes back up to `points` of the credit under `creditKey`; a repeat of the key answers the same. */
  reverseCredit(input: {
    key: string;
    creditKey: string;
    points: bigint;
    reason: string;
  }): Promise<ReverseAnswer>;
  outcome(key: string): Promise<StepState>;
  balance(accountRef: string): Promise<PartnerBalance | undefined>;
  /** Operations that took effect in [from, to), oldest first, at most transactionsPageSizeMax. */
  transactions(period: { from: Date; to: Date }): Promise<PartnerTransaction[]>;
  /** The programme's whole catalog, every page read; null when the system runs no catalog. */
  catalog(programId: string): Promise<CatalogFeed | null>;
}

/** A fault talking to a partner: retry with the same key, or ask for the outcome. */
export class PartnerUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PartnerUnavailableError';
  }
}
