// When a call's answer is lost, the gateway asks what became of its key before it compensates (voids
// the source, fails the transfer). If the call never arrived, the answer "abandoned" must stay true:
// the key is fenced, and the call arriving late is refused with operation_abandoned. A system that
// says "not found" and then applies the late call has moved points the gateway already gave back.
import {
  type ConformanceRule,
  check,
  conformanceReason,
  describeAnswer,
  describeBalance,
  type RuleContext,
  sameBalance,
} from '../rule.ts';
import { tidyCredit, tidyHold } from '../steps.ts';

/** The answer to "what became of this key?", or the status it was refused with. */
async function askOutcome(context: RuleContext, key: string): Promise<string> {
  try {
    return await context.partner.outcome(key);
  } catch (error) {
    const message = (error as Error).message;
    const status = /: (\d{3})$/.exec(message)?.[1];
    return status ? `answered ${status}` : `not answered (${message})`;
  }
}

export const fencingRules: ConformanceRule[] = [
  {
    name: 'fencing.unknown_key',
    title:
      'A key never sent, asked about, is abandoned; a credit or reserve arriving with it later is refused (operation_abandoned).',
    async run(context) {
      const before = await context.balance();
      const creditKey = context.key('credit');
      const reserveKey = context.key('reserve');
      const asked = [await askOutcome(context, creditKey), await askOutcome(context, reserveKey)];
      const lateCredit = await context.partner.credit({
        key: creditKey,
        accountRef: context.accountRef,
        points: 5n,
        reason: conformanceReason,
      });
      const lateReserve = await context.partner.reserve({
        key: reserveKey,
        accountRef: context.accountRef,
        points: 5n,
        expiresAt: context.holdExpiresAt(),
        reason: conformanceReason,
      });
      const after = await context.balance();
      if (lateCredit.outcome === 'done') await tidyCredit(context, creditKey, 5n);
      if (lateReserve.outcome === 'done') await tidyHold(context, reserveKey);
      const seen = `asked about two unknown keys: ${asked.join(', ')}; a late credit with one was ${describeAnswer(lateCredit, false)}, a late reserve with the other ${describeAnswer(lateReserve, false)}`;
      check(
        asked.every((state) => state === 'abandoned'),
        `${seen}: expected abandoned for both (the key fenced)`,
      );
      const refusedAsAbandoned = [lateCredit, lateReserve].every(
        (answer) => answer.outcome === 'refused' && answer.code === 'operation_abandoned',
      );
      check(refusedAsAbandoned, `${seen}: expected both refused with operation_abandoned`);
      check(
        sameBalance(before, after),
        `${seen}; yet the balance moved: ${describeBalance(before)} → ${describeBalance(after)}`,
      );
      // Asked again, the key is still abandoned: the fence holds.
      const again = await askOutcome(context, creditKey);
      check(again === 'abandoned', `${seen}; asked again, the first key was ${again}`);
      return `${seen}; balance unchanged`;
    },
  },
];
