// The hosted-account use case: a partner whose points the gateway keeps credits its members (points
// earned) and reads their balances. A credit's ledger key is bound to the request's Idempotency-Key
// before the credit is made, so a second run of the key (after a crash, or an error of ours that
// answered 5xx once the credit had committed) replays it instead of crediting twice, and the key
// used again once its record is gone (72 h) credits anew instead of replaying another credit.
import { randomUUID } from 'node:crypto';
import { ProblemError } from '../domain/errors.ts';
import { creditPoints } from '../store/hosted-ledger/operations.ts';
import { type AccountBalance, readBalance } from '../store/hosted-ledger/reports.ts';
import { bindIdempotencyEffect } from '../store/idempotency.ts';
import { inTransaction } from '../store/transaction.ts';
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
    idempotency: { principal: string; key: string; effectId: string | null };
  },
): Promise<AccountBalance> {
  await requireHostedProgram(context, input.partnerId, input.programId, 'path.programId');
  const { principal, key, effectId } = input.idempotency;
  const ledgerKey =
    effectId ??
    (await inTransaction(context.db, (trx) =>
      bindIdempotencyEffect(trx, { principal, key, effectId: `earn:${key}:${randomUUID()}` }),
    ));
  const outcome = await creditPoints(context.db, context.ledgerAccounts, {
    programId: input.programId,
    key: ledgerKey,
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
