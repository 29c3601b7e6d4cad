// Runs the conformance rules against a partner's system, one after the other, signing every call as
// the gateway does (its own HTTP adapter, adapters/http.ts). Each rule gets keys of its own and
// leaves the test accounts' balances as it found them when the partner keeps the contract.
import { randomBytes } from 'node:crypto';
import { createHttpAdapter } from '../../adapters/http.ts';
import { PartnerUnavailableError } from '../../adapters/loyalty-adapter.ts';
import type { SigningKeyPair } from '../../signing/keys.ts';
import { type Balance, type ConformanceRule, type RuleContext, RuleFailure } from './rule.ts';
import { conformanceRules } from './rules/index.ts';
import { createWire, type Wire, type WireAnswer } from './wire.ts';

export interface ConformanceTarget {
  /** The partner system's base URL, as the gateway is configured with it. */
  url: string;
  /** The partner id the gateway gave this partner: the audience of the gateway's tokens. */
  partnerId: string;
  /** The issuer the gateway signs as (GATEWAY_AUDIENCE). */
  issuer: string;
  gatewayKey: SigningKeyPair;
  /** A test account with at least accountPointsMin available. */
  accountRef: string;
  /** An account for the largest amount (its balance goes to 9223372036854775807 and back); accountRef if absent. */
  secondAccountRef?: string;
  callTimeoutMs?: number;
  /** Run only the rules whose name is one of these, or starts with one of these and a dot. */
  only?: readonly string[];
}

export interface RuleResult {
  name: string;
  title: string;
  passed: boolean;
  /** What was seen: the evidence of a pass, or the first thing that broke the rule. */
  seen: string;
  durationMs: number;
}

export interface ConformanceReport {
  runId: string;
  target: {
    url: string;
    partnerId: string;
    issuer: string;
    kid: string;
    accountRef: string;
    secondAccountRef: string;
  };
  startedAt: string;
  durationMs: number;
  passed: boolean;
  results: RuleResult[];
}

/** The run could not start (unknown account, refused signature...): no rule was run. */
export class ConformanceSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceSetupError';
  }
}

/** The rules reserve up to this many points of the first account at once. */
export const accountPointsMin = 100n;

const holdLifetimeMs = 10 * 60_000;

export function selectRules(rules: readonly ConformanceRule[], only: readonly string[] | undefined) {
  if (!only || only.length === 0) return rules;
  const selected = rules.filter((rule) =>
    only.some((wanted) => rule.name === wanted || rule.name.startsWith(`${wanted}.`)),
  );
  if (selected.length === 0) throw new ConformanceSetupError(`no rule is named ${only.join(' or ')}`);
  return selected;
}

function runIdNow(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
  return `conformance-${stamp}-${randomBytes(3).toString('hex')}`;
}

function describeError(error: unknown): string {
  if (error instanceof RuleFailure) return error.message;
  if (error instanceof PartnerUnavailableError) return `no usable answer: ${error.message}`;
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}

export async function runConformance(
  target: ConformanceTarget,
  options: { rules?: readonly ConformanceRule[]; onResult?: (result: RuleResult) => void } = {},
): Promise<ConformanceReport> {
  const rules = selectRules(options.rules ?? conformanceRules, target.only);
  const callTimeoutMs = target.callTimeoutMs ?? 10_000;
  const secondAccountRef = target.secondAccountRef ?? target.accountRef;
  const partner = createHttpAdapter({
    baseUrl: target.url,
    partnerId: target.partnerId,
    gatewayIssuer: target.issuer,
    gatewayKey: target.gatewayKey,
    callTimeoutMs,
    connectionsMax: 8,
  });
  const wire = createWire({ baseUrl: target.url, callTimeoutMs });
  const runId = runIdNow();
  const started = Date.now();
  try {
    await checkAccounts(wire, target, secondAccountRef);
    const results: RuleResult[] = [];
    for (const rule of rules) {
      const keyPrefix = `${runId}:${rule.name}:`;
      // One instant per rule: a key repeated within it is sent with the very body it was first sent
      // with, as the gateway repeats a call.
      const holdUntil = new Date(Date.now() + holdLifetimeMs);
      const result = await runRule(rule, {
        partner,
        wire,
        gateway: { issuer: target.issuer, key: target.gatewayKey },
        partnerId: target.partnerId,
        accountRef: target.accountRef,
        secondAccountRef,
        keyPrefix,
        key: (step) => `${keyPrefix}${step}`,
        balance: (accountRef = target.accountRef) => readBalance(partner, accountRef),
        holdExpiresAt: () => holdUntil,
      });
      results.push(result);
      options.onResult?.(result);
    }
    return {
      runId,
      target: {
        url: target.url,
        partnerId: target.partnerId,
        issuer: target.issuer,
        kid: target.gatewayKey.kid,
        accountRef: target.accountRef,
        secondAccountRef,
      },
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      passed: results.every((result) => result.passed),
      results,
    };
  } finally {
    await partner.close();
    await wire.close();
  }
}

async function runRule(rule: ConformanceRule, context: RuleContext): Promise<RuleResult> {
  const started = Date.now();
  const ran = { name: rule.name, title: rule.title };
  try {
    const seen = await rule.run(context);
    return { ...ran, passed: true, seen, durationMs: Date.now() - started };
  } catch (error) {
    return { ...ran, passed: false, seen: describeError(error), durationMs: Date.now() - started };
  }
}

async function readBalance(
  partner: ReturnType<typeof createHttpAdapter>,
  accountRef: string,
): Promise<Balance> {
  const balance = await partner.balance(accountRef);
  if (!balance) throw new RuleFailure(`the balance of ${accountRef} answered 404 (account_unknown)`);
  return balance;
}

/** Both accounts must be readable, with the gateway's signature, before any rule moves points. */
async function checkAccounts(wire: Wire, target: ConformanceTarget, secondAccountRef: string): Promise<void> {
  for (const accountRef of new Set([target.accountRef, secondAccountRef])) {
    const path = `/loyalty/accounts/${encodeURIComponent(accountRef)}`;
    let answer: WireAnswer;
    try {
      const token = await wire.token({
        key: target.gatewayKey,
        issuer: target.issuer,
        audience: target.partnerId,
        method: 'GET',
        path,
        body: undefined,
      });
      answer = await wire.send({ method: 'GET', path, authorization: `Bearer ${token}` });
    } catch (error) {
      throw new ConformanceSetupError(`could not reach ${target.url}: ${(error as Error).message}`);
    }
    if (answer.status === 404) {
      throw new ConformanceSetupError(`account ${accountRef} is unknown to the partner: open it first`);
    }
    if (answer.status !== 200) {
      throw new ConformanceSetupError(
        `the balance of ${accountRef} answered ${answer.status} ${answer.text.slice(0, 300)}; check --url, and that the partner trusts the gateway's key (--key) and issuer (--issuer) and knows itself as --partner-id`,
      );
    }
    const available = (answer.body as { availablePoints?: unknown } | undefined)?.availablePoints;
    if (
      accountRef === target.accountRef &&
      !(typeof available === 'string' && /^\d+$/.test(available) && BigInt(available) >= accountPointsMin)
    ) {
      throw new ConformanceSetupError(
        `account ${accountRef} has ${String(available)} points available; the rules need at least ${accountPointsMin}`,
      );
    }
  }
}
