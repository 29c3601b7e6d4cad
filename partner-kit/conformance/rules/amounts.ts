// Points travel as decimal strings because a JSON number loses whole points past 2^53: a system that
// parses them as floating point rounds a member's balance without a word. The largest amount the
// contract allows is the largest 64-bit signed integer; the rule brings the second account's
// balance to exactly that, reads it back, and takes it away again.
import { int8Max } from '../../../domain/arithmetic.ts';
import {
  type ConformanceRule,
  check,
  conformanceReason,
  describeAnswer,
  describeBalance,
  expectBalance,
  expectDone,
  moved,
} from '../rule.ts';
import { reverse } from '../steps.ts';
import { listedOperations } from './transactions.ts';

export const amountRules: ConformanceRule[] = [
  {
    name: 'amounts.largest_value',
    title: `Amounts up to ${int8Max} are kept to the last point: credited, read back, listed and reversed exactly.`,
    async run(context) {
      const accountRef = context.secondAccountRef;
      const since = new Date();
      const before = await context.balance(accountRef);
      const points = int8Max - before.postedPoints;
      check(points > 0n, `the account already holds ${describeBalance(before)}: use one with fewer points`);
      const creditKey = context.key('credit');
      const credited = await context.partner.credit({
        key: creditKey,
        accountRef,
        points,
        reason: conformanceReason,
      });
      if (credited.outcome === 'refused') {
        // A system may cap what it accepts: then it must say so, and move nothing.
        await expectBalance(context, before, 'a refused credit', accountRef);
        return `a credit of ${points} (to a balance of ${int8Max}) was ${describeAnswer(credited)}; balance unchanged, so exactness was not shown`;
      }
      // Should a check fail here (a system that rounds the amount, say), the credit is taken back
      // before the rule fails, so no account is left near the int8 limit for the rules after it.
      const reverseKey = context.key('reverse');
      let top: Awaited<ReturnType<typeof expectBalance>>;
      let listed: Awaited<ReturnType<typeof listedOperations>>[number] | undefined;
      try {
        top = await expectBalance(
          context,
          moved(before, points, points),
          `a credit of ${points}`,
          accountRef,
        );
        listed = (await listedOperations(context, since)).find((row) => row.key === creditKey);
      } catch (error) {
        await reverse(context, reverseKey, creditKey, points).catch(() => undefined);
        throw error;
      }
      const back = await reverse(context, reverseKey, creditKey, points);
      expectDone(back, `the reverse of a credit of ${points}`);
      check(
        back.reversedPoints === points,
        `the reverse of a credit of ${points} answered reversedPoints ${back.reversedPoints}`,
      );
      await expectBalance(context, before, `the reverse of ${points}`, accountRef);
      check(
        listed?.points === points,
        `the credit of ${points} is listed ${listed ? `with ${listed.points} points` : 'nowhere'}`,
      );
      const tooMuch = await context.partner.reserve({
        key: context.key('reserve'),
        accountRef,
        points: int8Max,
        expiresAt: context.holdExpiresAt(),
        reason: conformanceReason,
      });
      check(
        tooMuch.outcome === 'refused' && tooMuch.code === 'insufficient_points',
        `a reserve of ${int8Max} with ${before.availablePoints} available was ${describeAnswer(tooMuch)}, expected insufficient_points`,
      );
      await expectBalance(context, before, `a refused reserve of ${int8Max}`, accountRef);
      return `a credit of ${points} read back as posted ${top.postedPoints}, was listed and reversed (reversedPoints ${back.reversedPoints}) to the point; a reserve of ${int8Max} was ${describeAnswer(tooMuch)}`;
    },
  },
];
