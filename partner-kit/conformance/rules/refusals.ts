// A refusal is a final answer: the gateway fails the step cleanly on it (a transfer's reservation
// refused means the transfer fails; a credit refused means the source is voided). So a refusal must
// come as 422 with a code, must move nothing, and must stay the key's answer: a repeat of that key
// is refused the same way even once the call could succeed, or the gateway's books and the
// partner's would disagree.
import {
  type ConformanceRule,
  check,
  conformanceReason,
  describeAnswer,
  describeBalance,
  expectBalance,
} from '../rule.ts';
import { credit, tidyCredit, tidyHold } from '../steps.ts';

export const refusalRules: ConformanceRule[] = [
  {
    name: 'refusal.final',
    title:
      'A reserve past the balance is refused (422 insufficient_points), moves nothing, and its key stays refused.',
    async run(context) {
      const before = await context.balance();
      const key = context.key('reserve');
      const points = before.availablePoints + 1n;
      const reserve = () =>
        context.partner.reserve({
          key,
          accountRef: context.accountRef,
          points,
          expiresAt: context.holdExpiresAt(),
          reason: conformanceReason,
        });
      const first = await reserve();
      check(
        first.outcome === 'refused' && first.code === 'insufficient_points',
        `a reserve of ${points} with ${before.availablePoints} available was ${describeAnswer(first)}, expected 422 insufficient_points`,
      );
      await expectBalance(context, before, 'a refused reserve');
      // Enough points now for the same call to succeed: the key must keep its refusal all the same.
      const creditKey = context.key('credit');
      await credit(context, creditKey, 1n);
      let repeat: Awaited<ReturnType<typeof reserve>> | undefined;
      try {
        const credited = await context.balance();
        repeat = await reserve();
        check(
          repeat.outcome === 'refused' && repeat.code === first.code,
          `after a credit made the points enough, the repeat of the refused key was ${describeAnswer(repeat)}, expected the first refusal (${first.code})`,
        );
        await expectBalance(context, credited, 'the repeat of a refused reserve');
        return `a reserve of ${points} was ${describeAnswer(first)}; its repeat, once enough points were there, was refused the same; balance unchanged (${describeBalance(credited)})`;
      } finally {
        if (repeat?.outcome === 'done') await tidyHold(context, key);
        await tidyCredit(context, creditKey, 1n);
      }
    },
  },
];
