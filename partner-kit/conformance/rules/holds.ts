// Two-phase debits, as the gateway uses them for a transfer out: a reserve holds points (they stop
// being available but are still the member's), a post makes the hold final, a void gives it back.
// A hold that ends one way can never end the other way: that is what keeps a transfer's source and
// target in step.
import {
  type ConformanceRule,
  check,
  describeAnswer,
  describeBalance,
  expectBalance,
  expectDone,
  moved,
} from '../rule.ts';
import { credit, reserve, tidyHold } from '../steps.ts';

export const holdRules: ConformanceRule[] = [
  {
    name: 'semantics.reserve_holds',
    title: 'A reserve makes the points unavailable and leaves them posted.',
    async run(context) {
      const before = await context.balance();
      const key = context.key('reserve');
      await reserve(context, key, 25n);
      const held = await expectBalance(context, moved(before, -25n, 0n), 'a reserve of 25');
      await tidyHold(context, key);
      return `a reserve of 25 held them: ${describeBalance(before)} → ${describeBalance(held)}`;
    },
  },
  {
    name: 'semantics.post_takes',
    title: 'A post takes the held points for good, and a posted hold cannot be voided.',
    async run(context) {
      const reservationKey = context.key('reserve');
      await reserve(context, reservationKey, 25n);
      const held = await context.balance();
      expectDone(await context.partner.post({ key: context.key('post'), reservationKey }), 'the post');
      const posted = await expectBalance(context, moved(held, 0n, -25n), 'the post of a hold of 25');
      const late = await context.partner.void({ key: context.key('void'), reservationKey });
      check(
        late.outcome === 'refused',
        `a void after the post was ${describeAnswer(late)}, expected a refusal`,
      );
      await expectBalance(context, posted, 'a void refused after the post');
      await credit(context, context.key('tidy-credit'), 25n);
      return `the post took the 25 held (${describeBalance(held)} → ${describeBalance(posted)}); a later void was ${describeAnswer(late)}`;
    },
  },
  {
    name: 'semantics.void_releases',
    title: 'A void gives the held points back, and a voided hold cannot be posted.',
    async run(context) {
      const before = await context.balance();
      const reservationKey = context.key('reserve');
      await reserve(context, reservationKey, 25n);
      expectDone(await context.partner.void({ key: context.key('void'), reservationKey }), 'the void');
      const released = await expectBalance(context, before, 'the void of a hold of 25');
      const late = await context.partner.post({ key: context.key('post'), reservationKey });
      check(
        late.outcome === 'refused',
        `a post after the void was ${describeAnswer(late)}, expected a refusal`,
      );
      await expectBalance(context, released, 'a post refused after the void');
      return `the void gave the 25 back (${describeBalance(released)}); a later post was ${describeAnswer(late)}`;
    },
  },
];
