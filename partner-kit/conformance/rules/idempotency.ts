// A key takes effect at most once, and a repeat of it gets the first answer. The gateway repeats a
// call whenever an answer is lost (a timeout, a dropped connection, a crash), so a system that applies
// a repeat again moves the member's points twice: for each operation, the call is made, made again
// with the same key and body, and the balance must have moved once.
import {
  type Balance,
  type ConformanceRule,
  check,
  conformanceReason,
  describeAnswer,
  describeBalance,
  describeProfile,
  expectBalance,
  expectDone,
  moved,
  type RuleContext,
  sameBalance,
} from '../rule.ts';
import { credit, reserve, reverse, tidyCredit, tidyHold } from '../steps.ts';

/** The repeat must answer what the first call answered, and leave the balance where the first left it. */
async function expectRepeatChangesNothing(
  context: RuleContext,
  input: { operation: string; first: string; repeat: string; afterFirst: Balance },
): Promise<string> {
  const afterRepeat = await context.balance();
  check(
    input.repeat === input.first,
    `the repeat of the ${input.operation} answered ${input.repeat}, the first call ${input.first}`,
  );
  check(
    sameBalance(afterRepeat, input.afterFirst),
    `the repeat of the ${input.operation} moved the balance again: ${describeBalance(input.afterFirst)} → ${describeBalance(afterRepeat)}`,
  );
  return `the repeat of the ${input.operation} answered ${input.first} again and moved nothing (${describeBalance(afterRepeat)})`;
}

export const idempotencyRules: ConformanceRule[] = [
  {
    name: 'idempotency.reserve',
    title: 'A repeated reserve holds the points once and answers as the first did.',
    async run(context) {
      const before = await context.balance();
      const key = context.key('reserve');
      const first = await reserve(context, key, 10n);
      const afterFirst = await expectBalance(context, moved(before, -10n, 0n), 'the reserve of 10');
      const repeat = await reserve(context, key, 10n);
      const seen = await expectRepeatChangesNothing(context, {
        operation: 'reserve',
        first: `done (${describeProfile(first.expiryProfile)})`,
        repeat: `done (${describeProfile(repeat.expiryProfile)})`,
        afterFirst,
      });
      await tidyHold(context, key);
      return seen;
    },
  },
  {
    name: 'idempotency.post',
    title: 'A repeated post takes the held points once.',
    async run(context) {
      const reservationKey = context.key('reserve');
      await reserve(context, reservationKey, 10n);
      const held = await context.balance();
      const key = context.key('post');
      const first = await context.partner.post({ key, reservationKey });
      expectDone(first, 'the post');
      const afterFirst = await expectBalance(context, moved(held, 0n, -10n), 'the post of a hold of 10');
      const repeat = await context.partner.post({ key, reservationKey });
      const seen = await expectRepeatChangesNothing(context, {
        operation: 'post',
        first: describeAnswer(first),
        repeat: describeAnswer(repeat),
        afterFirst,
      });
      // The post took 10 from the account: a credit gives them back.
      await credit(context, context.key('tidy-credit'), 10n);
      return seen;
    },
  },
  {
    name: 'idempotency.void',
    title: 'A repeated void releases the held points once.',
    async run(context) {
      const reservationKey = context.key('reserve');
      await reserve(context, reservationKey, 10n);
      const held = await context.balance();
      const key = context.key('void');
      const first = await context.partner.void({ key, reservationKey });
      expectDone(first, 'the void');
      const afterFirst = await expectBalance(context, moved(held, 10n, 0n), 'the void of a hold of 10');
      const repeat = await context.partner.void({ key, reservationKey });
      return expectRepeatChangesNothing(context, {
        operation: 'void',
        first: describeAnswer(first),
        repeat: describeAnswer(repeat),
        afterFirst,
      });
    },
  },
  {
    name: 'idempotency.credit',
    title: 'A repeated credit adds the points once.',
    async run(context) {
      const before = await context.balance();
      const key = context.key('credit');
      const first = await credit(context, key, 10n);
      const afterFirst = await expectBalance(context, moved(before, 10n, 10n), 'the credit of 10');
      const repeat = await context.partner.credit({
        key,
        accountRef: context.accountRef,
        points: 10n,
        reason: conformanceReason,
      });
      try {
        return await expectRepeatChangesNothing(context, {
          operation: 'credit',
          first: describeAnswer(first),
          repeat: describeAnswer(repeat),
          afterFirst,
        });
      } finally {
        await tidyCredit(context, key, 10n);
      }
    },
  },
  {
    name: 'idempotency.reverse',
    title: 'A repeated reverse takes back once and answers the same reversedPoints.',
    async run(context) {
      const creditKey = context.key('credit');
      await credit(context, creditKey, 10n);
      const credited = await context.balance();
      const key = context.key('reverse');
      const first = await reverse(context, key, creditKey, 10n);
      expectDone(first, 'the reverse of a credit of 10');
      check(first.reversedPoints === 10n, `the reverse of a credit of 10 answered ${describeAnswer(first)}`);
      const afterFirst = await expectBalance(context, moved(credited, -10n, -10n), 'the reverse of 10');
      return expectRepeatChangesNothing(context, {
        operation: 'reverse',
        first: describeAnswer(first),
        repeat: describeAnswer(await reverse(context, key, creditKey, 10n)),
        afterFirst,
      });
    },
  },
];
