// What a conformance rule is, what it is given, and the few helpers every rule uses to say what it
// saw. A rule drives the partner's system the way the gateway does and passes or fails with one
// line of what it saw; a failure names the first thing that broke the contract.
import type { LoyaltyAdapter, PartnerAnswer, ReverseAnswer } from '../../adapters/loyalty-adapter.ts';
import type { ExpiryPortion } from '../../domain/point-lots.ts';
import type { SigningKeyPair } from '../../signing/keys.ts';
import type { Wire } from './wire.ts';

export interface Balance {
  availablePoints: bigint;
  postedPoints: bigint;
}

export interface RuleContext {
  /** The gateway's own adapter for a partner's system (adapters/http.ts), signing as the gateway. */
  partner: LoyaltyAdapter;
  /** Raw HTTP, for what the adapter hides (statuses) and what the gateway never sends (unsigned calls). */
  wire: Wire;
  /** Who the command signs as: the gateway's issuer and its private key. */
  gateway: { issuer: string; key: SigningKeyPair };
  partnerId: string;
  accountRef: string;
  /** The account whose balance goes up to the largest amount and back (--account-2, else --account). */
  secondAccountRef: string;
  /** A key of this rule's own: `<run>:<rule>:<step>`, so that two runs or two rules never share one. */
  key(step: string): string;
  /** What every key of this rule starts with. */
  keyPrefix: string;
  /** The account's balance as the partner reports it; a rule failure when it cannot be read. */
  balance(accountRef?: string): Promise<Balance>;
  /**
   * A reservation's expiry: past the run's end, and soon enough that a hold a failed rule leaves goes;
   * the same instant throughout a rule, so a repeated key is repeated with the same body.
   */
  holdExpiresAt(): Date;
}

export interface ConformanceRule {
  /** `<concept>.<what>`, e.g. `idempotency.credit`: stable, so a CI can name the rule it waits for. */
  name: string;
  /** What the rule checks, in one sentence. */
  title: string;
  /** Resolves with what was seen when the rule holds; throws RuleFailure (what was seen) when it does not. */
  run(context: RuleContext): Promise<string>;
}

export class RuleFailure extends Error {
  constructor(seen: string) {
    super(seen);
    this.name = 'RuleFailure';
  }
}

export function check(condition: boolean, seen: string): asserts condition {
  if (!condition) throw new RuleFailure(seen);
}

export function describeAnswer(answer: PartnerAnswer | ReverseAnswer, withDetail = true): string {
  if (answer.outcome === 'refused')
    return `refused ${answer.code}${withDetail && answer.detail ? ` (${answer.detail})` : ''}`;
  return 'reversedPoints' in answer ? `done, reversedPoints ${answer.reversedPoints}` : 'done';
}

/** The answer must be done: anything else stops the rule, naming the step. */
export function expectDone<A extends PartnerAnswer | ReverseAnswer>(
  answer: A,
  step: string,
): asserts answer is Extract<A, { outcome: 'done' }> {
  check(answer.outcome === 'done', `${step} was ${describeAnswer(answer)}, expected it to take effect`);
}

export function describeBalance(balance: Balance): string {
  return `available ${balance.availablePoints}, posted ${balance.postedPoints}`;
}

export function sameBalance(left: Balance, right: Balance): boolean {
  return left.availablePoints === right.availablePoints && left.postedPoints === right.postedPoints;
}

/** The balance expected after a move: `available` and `posted` added to `from`. */
export function moved(from: Balance, available: bigint, posted: bigint): Balance {
  return { availablePoints: from.availablePoints + available, postedPoints: from.postedPoints + posted };
}

/** Checks the balance the partner reports now is the one expected after `step`. */
export async function expectBalance(
  context: RuleContext,
  expected: Balance,
  step: string,
  accountRef = context.accountRef,
): Promise<Balance> {
  const actual = await context.balance(accountRef);
  check(
    sameBalance(actual, expected),
    `after ${step} the balance was ${describeBalance(actual)}, expected ${describeBalance(expected)}`,
  );
  return actual;
}

export function describeProfile(profile: readonly ExpiryPortion[] | undefined): string {
  if (!profile) return 'no expiryProfile';
  const portions = profile.map(
    (portion) => `${portion.points} expiring ${portion.expiresAt?.toISOString() ?? 'never'}`,
  );
  return `expiryProfile ${portions.join(', ')}`;
}

/** A reason the partner's own records can show, so a test run is easy to find there. */
export const conformanceReason = 'points alliance conformance run';
