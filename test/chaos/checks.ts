// The crash test's checks, as plain functions over what was sent, answered and read back. Each says
// what went wrong in terms of keys, transfers, members and programmes, so a failure reads as a bug
// report rather than a count.
import type { ChaosMember } from './alliance.ts';
import { type Intent, terminalStatuses } from './load.ts';
import type { AccountBalance, TransferRecord } from './observe.ts';
import type { KeyedAnswer, Unanswered } from './requests.ts';

export interface CheckResult {
  name: string;
  ok: boolean;
  /** One line of figures. */
  summary: string;
  /** Every violation, one line each. */
  problems: string[];
}

export interface CheckContext {
  intents: Intent[];
  transfers: Map<string, TransferRecord>;
  /** Programme id → a short name for messages. */
  programNames: Map<string, string>;
}

const result = (name: string, summary: string, problems: string[]): CheckResult => ({
  name,
  ok: problems.length === 0,
  summary,
  problems,
});

function describeAnswer(answer: KeyedAnswer | Unanswered | null): string {
  if (!answer) return 'never sent';
  const lost = Object.entries(answer.lost)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => `${count} ${reason}`)
    .join(', ');
  const what =
    answer.status === null ? 'no answer' : `${answer.status}${answer.replayed ? ' (replayed)' : ''}`;
  return `${what} after ${answer.attempts} attempt(s)${lost ? `, lost: ${lost}` : ''}`;
}

export function describeIntent(intent: Intent): string {
  return `key ${intent.transferKey} (${intent.kind}, ${intent.member.accountRef}, ${intent.sourcePoints} ${intent.source}→${intent.target})`;
}

export function describeTransfer(
  transfer: TransferRecord,
  context: Pick<CheckContext, 'programNames'>,
): string {
  const name = (id: string) => context.programNames.get(id) ?? id;
  const steps = transfer.steps.map((step) => `${step.step}:${step.outcome}`).join(' ');
  return `${transfer.id} ${transfer.status} ${transfer.debitPoints} ${name(transfer.sourceProgramId)}→${name(transfer.targetProgramId)} [${steps}]`;
}

/** Every request got an answer, and every answer is one a partner can act on. */
export function checkAnswers(context: CheckContext): CheckResult {
  const problems: string[] = [];
  const finals = new Map<string, number>();
  for (const intent of context.intents) {
    const answer =
      intent.kind === 'quoted' && intent.quoteId === null ? intent.quoteAnswer : intent.transferAnswer;
    const which = answer === intent.quoteAnswer ? `quote key ${intent.quoteKey}` : describeIntent(intent);
    if (!answer || answer.status === null) {
      problems.push(`${which}: ${describeAnswer(answer)} (last: ${answer?.lastLoss ?? 'none'})`);
      continue;
    }
    const code =
      answer.status < 300 ? String(answer.body?.status ?? answer.status) : String(answer.body?.code);
    finals.set(`${answer.status} ${code}`, (finals.get(`${answer.status} ${code}`) ?? 0) + 1);
    if (answer.status >= 300 && answer.status !== 422)
      problems.push(`${which}: unexpected answer ${answer.status} ${code}: ${JSON.stringify(answer.body)}`);
  }
  const summary = [...finals].map(([answer, count]) => `${count} × ${answer}`).join(', ');
  return result('every request answered', summary, problems);
}

/** No key made two transfers: every transfer is the one its key's answer names. */
export function checkOneTransferPerKey(context: CheckContext): CheckResult {
  const problems: string[] = [];
  const byAnswer = new Map<string, Intent>();
  const byQuote = new Map<string, Intent>();
  const byRequest = new Map<string, Intent>();
  const requestOf = (memberId: string, source: string, target: string, points: string) =>
    `${memberId}|${source}|${target}|${points}`;
  const programIdOf = new Map([...context.programNames].map(([id, name]) => [name, id]));
  for (const intent of context.intents) {
    if (intent.transferId) byAnswer.set(intent.transferId, intent);
    if (intent.quoteId) byQuote.set(intent.quoteId, intent);
    byRequest.set(
      requestOf(
        intent.member.memberId,
        programIdOf.get(intent.source) ?? '',
        programIdOf.get(intent.target) ?? '',
        String(intent.sourcePoints),
      ),
      intent,
    );
    if (intent.transferId && !context.transfers.has(intent.transferId))
      problems.push(
        `${describeIntent(intent)} was answered with ${intent.transferId}, which no partner can see`,
      );
  }
  const perKey = new Map<string, TransferRecord[]>();
  for (const transfer of context.transfers.values()) {
    const intent =
      byAnswer.get(transfer.id) ??
      byQuote.get(transfer.quoteId) ??
      byRequest.get(
        requestOf(
          transfer.memberId,
          transfer.sourceProgramId,
          transfer.targetProgramId,
          transfer.debitPoints,
        ),
      );
    if (!intent) {
      problems.push(`${describeTransfer(transfer, context)} matches no request that was sent`);
      continue;
    }
    perKey.set(intent.transferKey, [...(perKey.get(intent.transferKey) ?? []), transfer]);
  }
  let doubled = 0;
  for (const intent of context.intents) {
    const made = perKey.get(intent.transferKey) ?? [];
    const extra = made.filter((transfer) => transfer.id !== intent.transferId);
    if (extra.length === 0) continue;
    doubled += 1;
    const answered = intent.transferId ? `answered ${intent.transferId}` : 'answered with no transfer';
    problems.push(
      `${describeIntent(intent)} ${answered} (${describeAnswer(intent.transferAnswer)}), but ${
        made.length
      } transfer(s) exist for it: ${made.map((transfer) => describeTransfer(transfer, context)).join('; ')}`,
    );
  }
  const keys = context.intents.filter((intent) => intent.transferId).length;
  return result(
    'one transfer per key',
    `${context.transfers.size} transfers, ${keys} keys answered with a transfer, ${doubled} keys with more than one`,
    problems,
  );
}

export function checkEnded(context: CheckContext): CheckResult {
  const counts = new Map<string, number>();
  const problems: string[] = [];
  for (const transfer of context.transfers.values()) {
    counts.set(transfer.status, (counts.get(transfer.status) ?? 0) + 1);
    if (!terminalStatuses.includes(transfer.status))
      problems.push(`${describeTransfer(transfer, context)} has not ended`);
  }
  return result(
    'every transfer ended',
    [...counts].map(([status, n]) => `${n} ${status}`).join(', '),
    problems,
  );
}

/** Whether the target credited: a completed transfer did; a flagged one did if its steps say so. */
function credited(transfer: TransferRecord): boolean {
  if (transfer.status === 'completed') return true;
  return transfer.steps.some(
    (step) =>
      (step.step === 'credit' && step.outcome === 'done') ||
      (step.step === 'credit_outcome_asked' && step.outcome === 'succeeded'),
  );
}

/**
 * Every member's posted balance in every programme is its seed, plus what completed transfers
 * credited, minus what they debited (a flagged transfer's credit counts when its steps show it).
 * Held points are allowed only for transfers flagged for finance, and at most their debit.
 */
export function checkBalancesAndHolds(
  context: CheckContext & {
    members: ChaosMember[];
    seedPoints: bigint;
    balances: Map<string, AccountBalance | null>;
  },
): CheckResult[] {
  const expected = new Map<string, bigint>();
  const holdable = new Map<string, bigint>();
  const involved = new Map<string, TransferRecord[]>();
  const add = (map: Map<string, bigint>, key: string, points: bigint) =>
    map.set(key, (map.get(key) ?? 0n) + points);
  for (const transfer of context.transfers.values()) {
    const source = `${transfer.memberId}|${transfer.sourceProgramId}`;
    const target = `${transfer.memberId}|${transfer.targetProgramId}`;
    for (const key of [source, target]) involved.set(key, [...(involved.get(key) ?? []), transfer]);
    if (transfer.status === 'completed') add(expected, source, -BigInt(transfer.debitPoints));
    if (credited(transfer)) add(expected, target, BigInt(transfer.creditPoints));
    if (transfer.status === 'needs_attention') add(holdable, source, BigInt(transfer.debitPoints));
  }
  const balanceProblems: string[] = [];
  const holdProblems: string[] = [];
  let accounts = 0;
  let heldTotal = 0n;
  for (const member of context.members) {
    for (const [programId, name] of context.programNames) {
      const key = `${member.memberId}|${programId}`;
      const balance = context.balances.get(key);
      accounts += 1;
      const transfers = (involved.get(key) ?? []).map((transfer) => describeTransfer(transfer, context));
      const around = transfers.length > 0 ? `; transfers: ${transfers.join('; ')}` : '';
      if (!balance) {
        balanceProblems.push(`${member.accountRef} in ${name}: no account`);
        continue;
      }
      const want = context.seedPoints + (expected.get(key) ?? 0n);
      if (balance.postedPoints !== want)
        balanceProblems.push(
          `${member.accountRef} in ${name}: ${balance.postedPoints} posted, expected ${want} (off by ${balance.postedPoints - want})${around}`,
        );
      heldTotal += balance.heldPoints;
      const allowed = holdable.get(key) ?? 0n;
      if (balance.heldPoints < 0n || balance.heldPoints > allowed)
        holdProblems.push(
          `${member.accountRef} in ${name}: ${balance.heldPoints} points held, at most ${allowed} allowed (flagged transfers)${around}`,
        );
    }
  }
  return [
    result('balances agree with transfers', `${accounts} accounts compared`, balanceProblems),
    result('no hold left open but flagged ones', `${heldTotal} points held in all`, holdProblems),
  ];
}
