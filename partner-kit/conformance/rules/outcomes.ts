// The outcome route is how the gateway learns the truth after a lost answer: it must say succeeded
// for a key that took effect (else the gateway compensates points that did move) and abandoned for
// one that was refused (else it takes a refusal for a success).
import { type ConformanceRule, check, conformanceReason } from '../rule.ts';
import { credit, tidyCredit } from '../steps.ts';

export const outcomeRules: ConformanceRule[] = [
  {
    name: 'outcome.reports_what_happened',
    title:
      'Asked about a key, the partner says succeeded when it took effect and abandoned when it was refused.',
    async run(context) {
      const creditKey = context.key('credit');
      await credit(context, creditKey, 5n);
      try {
        const applied = await context.partner.outcome(creditKey);
        check(applied === 'succeeded', `asked about a credit that took effect, the partner said ${applied}`);
        const refusedKey = context.key('reserve');
        const available = (await context.balance()).availablePoints;
        const refusal = await context.partner.reserve({
          key: refusedKey,
          accountRef: context.accountRef,
          points: available + 1n,
          expiresAt: context.holdExpiresAt(),
          reason: conformanceReason,
        });
        check(refusal.outcome === 'refused', `a reserve past the balance took effect`);
        const refused = await context.partner.outcome(refusedKey);
        check(refused === 'abandoned', `asked about a refused reserve, the partner said ${refused}`);
        return `a credit that took effect: ${applied}; a refused reserve: ${refused}`;
      } finally {
        await tidyCredit(context, creditKey, 5n);
      }
    },
  },
];
