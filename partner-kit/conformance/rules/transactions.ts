// Reconciliation compares the gateway's record of every step with the partner's own list of
// operations for the period: a list that leaves out an operation, shows a refused one, or shows the
// wrong points or status becomes a break for finance to chase. The rule does a known set of
// operations and reads them back, with the balance they must add up to.
import type { PartnerTransaction } from '../../../adapters/loyalty-adapter.ts';
import {
  type ConformanceRule,
  check,
  conformanceReason,
  describeAnswer,
  expectBalance,
  expectDone,
  moved,
  type RuleContext,
} from '../rule.ts';
import { credit, reserve, reverse, tidyCredit } from '../steps.ts';

/** Partner clocks are not ours: the period read is this much wider than the run on each side. */
export const listingMarginMs = 5 * 60_000;

type Expected = Pick<PartnerTransaction, 'key' | 'operation' | 'points' | 'status'>;

const describeRow = (row: Expected) => `${row.operation} ${row.points} ${row.status}`;

/** This rule's operations as the partner lists them, for a period around the run. */
export async function listedOperations(context: RuleContext, since: Date): Promise<PartnerTransaction[]> {
  const rows = await context.partner.transactions({
    from: new Date(since.getTime() - listingMarginMs),
    to: new Date(Date.now() + listingMarginMs),
  });
  return rows.filter((row) => row.key.startsWith(context.keyPrefix));
}

function compare(rows: PartnerTransaction[], expected: Expected[], accountRef: string, refusedKey: string) {
  const problems: string[] = [];
  for (const wanted of expected) {
    const row = rows.find((candidate) => candidate.key === wanted.key);
    if (!row) problems.push(`${wanted.key} (${describeRow(wanted)}) is not listed`);
    else if (describeRow(row) !== describeRow(wanted))
      problems.push(`${wanted.key} is listed as ${describeRow(row)}, expected ${describeRow(wanted)}`);
    else if (row.accountRef !== accountRef)
      problems.push(`${wanted.key} is listed for account ${row.accountRef}, expected ${accountRef}`);
  }
  for (const row of rows) {
    if (row.key === refusedKey) problems.push(`${row.key} is listed, but it was refused`);
    else if (!expected.some((wanted) => wanted.key === row.key))
      problems.push(`${row.key} (${describeRow(row)}) is listed, but no such operation was made`);
  }
  const times = rows.map((row) => row.at.getTime());
  if (times.some((time, index) => index > 0 && time < (times[index - 1] ?? time)))
    problems.push('the list is not oldest first');
  return problems;
}

export const transactionRules: ConformanceRule[] = [
  {
    name: 'transactions.agree',
    title:
      'The transaction list shows each operation done, with its points and status, and no refused one; the balance adds up.',
    async run(context) {
      const since = new Date();
      const before = await context.balance();
      const key = (step: string) => context.key(step);
      await credit(context, key('credit'), 30n);
      await reserve(context, key('reserve-1'), 20n);
      expectDone(
        await context.partner.post({ key: key('post-1'), reservationKey: key('reserve-1') }),
        'the post',
      );
      await reserve(context, key('reserve-2'), 10n);
      expectDone(
        await context.partner.void({ key: key('void-2'), reservationKey: key('reserve-2') }),
        'the void',
      );
      const reversal = await reverse(context, key('reverse'), key('credit'), 5n);
      expectDone(reversal, 'a reverse of 5');
      const refused = await context.partner.reserve({
        key: key('refused'),
        accountRef: context.accountRef,
        points: before.availablePoints + 1_000n,
        expiresAt: context.holdExpiresAt(),
        reason: conformanceReason,
      });
      check(refused.outcome === 'refused', `a reserve past the balance was ${describeAnswer(refused)}`);
      try {
        // +30 credited, −20 posted, −5 reversed; the voided hold gave its 10 back.
        await expectBalance(context, moved(before, 5n, 5n), 'a credit, a post, a void and a reverse');
        const expected: Expected[] = [
          { key: key('credit'), operation: 'credit', points: 30n, status: 'credited' },
          { key: key('reserve-1'), operation: 'reserve', points: 20n, status: 'posted' },
          { key: key('post-1'), operation: 'post', points: 20n, status: 'posted' },
          { key: key('reserve-2'), operation: 'reserve', points: 10n, status: 'voided' },
          { key: key('void-2'), operation: 'void', points: 10n, status: 'voided' },
          { key: key('reverse'), operation: 'reverse', points: 5n, status: 'reversed' },
        ];
        const rows = await listedOperations(context, since);
        const problems = compare(rows, expected, context.accountRef, key('refused'));
        check(problems.length === 0, problems.join('; '));
        return `the ${rows.length} operations made are listed as made (${expected.map(describeRow).join(', ')}), the refused reserve is not, and the balance moved by their sum (+5)`;
      } finally {
        await tidyCredit(context, key('credit'), 5n);
      }
    },
  },
];
