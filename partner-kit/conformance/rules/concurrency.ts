// A repeat does not always wait for the first call's answer: the gateway gives up on a slow call and
// retries while the first is still being handled. A system that checks "have I seen this key?" and
// then writes, without a unique key under both, applies such a pair twice. The rule sends the same
// credit several times at once.
import { PartnerUnavailableError } from '../../../adapters/loyalty-adapter.ts';
import {
  type ConformanceRule,
  check,
  conformanceReason,
  describeAnswer,
  describeBalance,
  moved,
  sameBalance,
} from '../rule.ts';
import { tidyCredit } from '../steps.ts';

/** How many copies of the call are in flight together. */
export const concurrentCopies = 6;

export const concurrencyRules: ConformanceRule[] = [
  {
    name: 'idempotency.concurrent_credit',
    title: `The same credit sent ${concurrentCopies} times at once adds the points once.`,
    async run(context) {
      const before = await context.balance();
      const key = context.key('credit');
      const send = () =>
        context.partner
          .credit({ key, accountRef: context.accountRef, points: 10n, reason: conformanceReason })
          .then(describeAnswer, (error: unknown) => {
            // "Not now" (a 5xx, a 409 while the first is in hand) is a fair answer to a race: the
            // gateway retries it.
            if (error instanceof PartnerUnavailableError) return 'not now';
            throw error;
          });
      const answers = await Promise.all(Array.from({ length: concurrentCopies }, send));
      try {
        check(
          answers.every((answer) => answer === 'done' || answer === 'not now'),
          `${concurrentCopies} copies at once were answered ${answers.join(', ')}`,
        );
        const after = await context.balance();
        const expected = moved(before, 10n, 10n);
        check(
          sameBalance(after, expected),
          `${concurrentCopies} copies of a credit of 10 at once (${answers.join(', ')}) moved the balance ${describeBalance(before)} → ${describeBalance(after)}, expected ${describeBalance(expected)}`,
        );
        return `${concurrentCopies} copies of a credit of 10 at once were answered ${answers.join(', ')} and added 10 once`;
      } finally {
        await tidyCredit(context, key, 10n);
      }
    },
  },
];
