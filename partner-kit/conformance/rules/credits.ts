// Credits and their reversal, as the gateway uses them for a transfer in and for taking one back: a
// credit adds points; a reverse takes back what the member still has of it, never more than was
// asked nor more than the credit left unreversed, and says how much in reversedPoints (the gateway
// settles exactly that figure).
import {
  type ConformanceRule,
  check,
  describeAnswer,
  describeBalance,
  expectBalance,
  expectDone,
  moved,
} from '../rule.ts';
import { credit, reverse, tidyCredit } from '../steps.ts';

export const creditRules: ConformanceRule[] = [
  {
    name: 'semantics.credit_adds',
    title: 'A credit adds the points, available and posted.',
    async run(context) {
      const before = await context.balance();
      const key = context.key('credit');
      await credit(context, key, 40n);
      const after = await expectBalance(context, moved(before, 40n, 40n), 'a credit of 40');
      await tidyCredit(context, key, 40n);
      return `a credit of 40: ${describeBalance(before)} → ${describeBalance(after)}`;
    },
  },
  {
    name: 'semantics.reverse_takes_back',
    title:
      'A reverse takes back up to the points asked, never past the credit, answers reversedPoints, and refuses once nothing is left.',
    async run(context) {
      const creditKey = context.key('credit');
      await credit(context, creditKey, 40n);
      let balance = await context.balance();
      const seen: string[] = [];
      // 15 of 40, then 100 asked of the 25 left, then nothing left to take.
      for (const [step, asked, expected] of [
        ['reverse-1', 15n, 15n],
        ['reverse-2', 100n, 25n],
      ] as const) {
        const answer = await reverse(context, context.key(step), creditKey, asked);
        expectDone(answer, `a reverse of ${asked}`);
        check(
          answer.reversedPoints === expected,
          `a reverse asking ${asked} of a credit with ${expected} left answered reversedPoints ${answer.reversedPoints}, expected ${expected}`,
        );
        balance = await expectBalance(
          context,
          moved(balance, -expected, -expected),
          `a reverse of ${expected}`,
        );
        seen.push(`asked ${asked}, reversed ${answer.reversedPoints}`);
      }
      const spent = await reverse(context, context.key('reverse-3'), creditKey, 10n);
      check(
        spent.outcome === 'refused',
        `a reverse of a credit reversed in full was ${describeAnswer(spent)}, expected a refusal (insufficient_points)`,
      );
      await expectBalance(context, balance, 'a reverse refused');
      seen.push(`then ${describeAnswer(spent)}`);
      return `a credit of 40: ${seen.join('; ')}`;
    },
  },
];
