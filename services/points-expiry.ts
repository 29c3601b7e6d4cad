// Points expiry in hosted programmes: lots past their end leave their members (one transaction per
// account, with its points.expired notice), and members' partners are reminded ahead of time
// (points.expiring, once per account, day of expiry and reminder: the notice's id says so, and a
// notice is queued at most once per id, so a run repeated after a crash queues nothing twice).
// A programme's rule and reminder days are read and set here too.
import { ProblemError } from '../domain/errors.ts';
import {
  checkExpiryRule,
  dueReminder,
  type ExpiryRule,
  normalizeReminderDays,
} from '../domain/point-lots.ts';
import type { PointsExpiryRuleKind } from '../store/database.ts';
import {
  accountsWithDueLots,
  expireAccountLotsWithNotice,
  pointsComingDue,
} from '../store/hosted-ledger/expiry.ts';
import { expiryRuleOf } from '../store/hosted-ledger/lots.ts';
import { enqueueEvent } from '../store/webhooks.ts';
import type { ServiceContext } from './context.ts';
import { requireHostedProgram } from './programs.ts';

export const expiryEventTypes = ['points.expired', 'points.expiring'];

export interface ExpiryRunCount {
  accounts: number;
  lots: number;
  points: bigint;
}

/** Expires every lot whose end has come by `now`, a page of accounts at a time. */
export async function expireDuePoints(
  context: ServiceContext,
  input: { now: Date; pageSize: number; onPage?: (count: ExpiryRunCount) => void },
): Promise<ExpiryRunCount> {
  const count: ExpiryRunCount = { accounts: 0, lots: 0, points: 0n };
  let afterAccountId: bigint | null = null;
  while (true) {
    const page = await accountsWithDueLots(context.db, {
      now: input.now,
      afterAccountId,
      limit: input.pageSize,
    });
    for (const account of page) {
      // Made (and committed) outside the money transaction, like every programme account.
      const issuanceAccountId = await context.ledgerAccounts.system(
        context.db,
        account.programId,
        'issuance',
      );
      const expired = await context.db
        .transaction()
        .execute((trx) => expireAccountLotsWithNotice(trx, { account, issuanceAccountId, now: input.now }));
      if (expired.length === 0) continue;
      count.accounts += 1;
      count.lots += expired.length;
      count.points += expired.reduce((sum, lot) => sum + lot.points, 0n);
    }
    input.onPage?.(count);
    const last = page[page.length - 1];
    if (!last || page.length < input.pageSize) return count;
    afterAccountId = last.accountId;
  }
}

/** Queues the reminders due at `now`; returns how many were new. */
export async function queueExpiryReminders(
  context: ServiceContext,
  input: { now: Date; pageSize: number; onPage?: (queued: number) => void },
): Promise<number> {
  let queued = 0;
  let after: { accountId: bigint; expiresOn: string } | null = null;
  while (true) {
    const page = await pointsComingDue(context.db, { now: input.now, after, limit: input.pageSize });
    const due = page.flatMap((group) => {
      const days = dueReminder(group.expiresAt, input.now, group.reminderDays);
      return days === undefined ? [] : [{ ...group, days }];
    });
    if (due.length > 0) {
      queued += await context.db.transaction().execute(async (trx) => {
        let fresh = 0;
        for (const group of due) {
          const ids = await enqueueEvent(trx, {
            programIds: [group.programId],
            type: 'points.expiring',
            eventId: `points.expiring:${group.programId}:${group.accountRef}:${group.expiresOn}:${group.days}d`,
            payload: {
              type: 'points.expiring',
              programId: group.programId,
              accountRef: group.accountRef,
              memberId: group.memberId,
              expiresOn: group.expiresOn,
              expiresAt: group.expiresAt.toISOString(),
              points: String(group.points),
              daysAhead: group.days,
            },
          });
          fresh += ids.length;
        }
        return fresh;
      });
    }
    input.onPage?.(queued);
    const last = page[page.length - 1];
    if (!last || page.length < input.pageSize) return queued;
    after = { accountId: last.accountId, expiresOn: last.expiresOn };
  }
}

export interface PointsExpirySettings {
  programId: string;
  rule: ExpiryRule;
  /** Largest first. */
  reminderDaysAhead: number[];
}

function settingsOf(program: {
  id: string;
  points_expiry_rule: PointsExpiryRuleKind;
  points_expiry_period: number | null;
  expiry_reminder_days: number[];
}): PointsExpirySettings {
  return {
    programId: program.id,
    rule: expiryRuleOf(program),
    reminderDaysAhead: program.expiry_reminder_days,
  };
}

export async function readPointsExpiry(
  context: ServiceContext,
  input: { partnerId: string; programId: string },
): Promise<PointsExpirySettings> {
  await requireHostedProgram(context, input.partnerId, input.programId, 'path.programId');
  const program = await context.db
    .selectFrom('programs')
    .select(['id', 'points_expiry_rule', 'points_expiry_period', 'expiry_reminder_days'])
    .where('id', '=', input.programId)
    .executeTakeFirstOrThrow();
  return settingsOf(program);
}

/**
 * Sets a hosted programme's rule and reminder days. Lots made before keep their expiry; credits
 * take the new rule within the few seconds a process remembers the old one.
 */
export async function setPointsExpiry(
  context: ServiceContext,
  input: { partnerId: string; programId: string; rule: ExpiryRule; reminderDaysAhead: number[] },
): Promise<PointsExpirySettings> {
  await requireHostedProgram(context, input.partnerId, input.programId, 'path.programId');
  try {
    checkExpiryRule(input.rule);
  } catch {
    throw new ProblemError('validation_failed', 'The expiry rule is out of range.', [
      { field: 'rule', message: 'out of range' },
    ]);
  }
  const period =
    input.rule.kind === 'months_after_earning'
      ? input.rule.months
      : input.rule.kind === 'end_of_calendar_year'
        ? input.rule.years
        : null;
  const program = await context.db
    .updateTable('programs')
    .set({
      points_expiry_rule: input.rule.kind,
      points_expiry_period: period,
      expiry_reminder_days: normalizeReminderDays(input.reminderDaysAhead),
    })
    .where('id', '=', input.programId)
    .returning(['id', 'points_expiry_rule', 'points_expiry_period', 'expiry_reminder_days'])
    .executeTakeFirstOrThrow();
  return settingsOf(program);
}
