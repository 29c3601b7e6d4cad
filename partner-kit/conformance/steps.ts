// The gateway's calls as rules make them: through its own adapter, with this run's account, a hold
// that expires soon after the run, and the conformance reason. A step that must take effect stops
// the rule (naming the step) when it does not.
import { conformanceReason, expectDone, type RuleContext } from './rule.ts';

export async function reserve(context: RuleContext, key: string, points: bigint) {
  const answer = await context.partner.reserve({
    key,
    accountRef: context.accountRef,
    points,
    expiresAt: context.holdExpiresAt(),
    reason: conformanceReason,
  });
  expectDone(answer, `the reserve of ${points}`);
  return answer;
}

export async function credit(
  context: RuleContext,
  key: string,
  points: bigint,
  accountRef = context.accountRef,
) {
  const answer = await context.partner.credit({ key, accountRef, points, reason: conformanceReason });
  expectDone(answer, `the credit of ${points}`);
  return answer;
}

export async function reverse(context: RuleContext, key: string, creditKey: string, points: bigint) {
  return context.partner.reverseCredit({ key, creditKey, points, reason: conformanceReason });
}

/**
 * Takes a credit back so that the account is left as the rule found it. Tidying never decides a
 * rule: a failure here is left for the rules that check reversals to name.
 */
export async function tidyCredit(context: RuleContext, creditKey: string, points: bigint): Promise<void> {
  try {
    await reverse(context, context.key(`tidy-${creditKey.slice(-20)}`), creditKey, points);
  } catch {}
}

/** Releases a hold the rule made; as above, a failure here decides nothing. */
export async function tidyHold(context: RuleContext, reservationKey: string): Promise<void> {
  try {
    await context.partner.void({ key: context.key(`tidy-${reservationKey.slice(-20)}`), reservationKey });
  } catch {}
}
