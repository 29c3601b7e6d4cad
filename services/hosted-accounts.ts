// The hosted-account use case: a partner whose points the gateway keeps credits its members (points
// earned) and reads their balances. A credit is keyed in the ledger by the request's Idempotency-Key,
// so a second run of the same key after a crash replays it instead of crediting twice.
import { ProblemError } from '../domain/errors.ts';
import { creditPoints } from '../store/hosted-ledger/operations.ts';
import { type AccountBalance, readBalance } from '../store/hosted-ledger/reports.ts';
import type { ServiceContext } from './context.ts';
import { requireHostedProgram } from './programs.ts';

export async function creditMember(
  context: ServiceContext,
  input: {
    partnerId: string;
    programId: string;
    accountRef: string;
    points: bigint;
    reason: string;
    key: string;
  },
): Promise<AccountBalance> {
  await requireHostedProgram(context, input.partnerId, input.programId, 'path.programId');
  const outcome = await creditPoints(context.db, context.ledgerAccounts, {
    programId: input.programId,
    key: `earn:${input.key}`,
    accountRef: input.accountRef,
    points: input.points,
    reason: input.reason,
  });
  if (outcome.outcome === 'refused') throw new ProblemError('validation_failed', outcome.detail);
  const balance = await readBalance(context.db, input.programId, input.accountRef);
  if (!balance) throw new Error(`account ${input.accountRef} vanished after a credit`);
  return balance;
}

export async function readMemberBalance(
  context: ServiceContext,
  input: { partnerId: string; programId: string; accountRef: string },
): Promise<AccountBalance> {
  await requireHostedProgram(context, input.partnerId, input.programId, 'path.programId');
  const balance = await readBalance(context.db, input.programId, input.accountRef);
  if (!balance) {
    throw new ProblemError('not_found', `No account ${input.accountRef} in programme ${input.programId}.`);
  }
  return balance;
}
