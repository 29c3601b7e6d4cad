// Taking back a credit in the hosted ledger: at most what is left unreversed of it and what the
// member still has, from the credit's own lots first, under the member's lock and the credit's key.
import { type Kysely, sql } from 'kysely';
import { assert } from '../../domain/arithmetic.ts';
import { availablePoints } from '../../domain/ledger.ts';
import type { Database } from '../database.ts';
import { balancesOf, lockCountedAccounts } from './accounts.ts';
import { expireAccountLotsWithNotice } from './expiry.ts';
import { takeLots } from './lots.ts';
import { type LedgerAnswer, move, once } from './movements.ts';
import { expireOverdueReservations } from './operations.ts';

/**
 * Takes back (part of) a credit, from the member to the issuance account: at most `points`, at most
 * what is left unreversed of the credit, and at most what the member still has. Answers with what it
 * took; refused as insufficient_points when that is nothing.
 */
export function reverseCredit(
  db: Kysely<Database>,
  input: {
    programId: string;
    key: string;
    creditKey: string;
    points: bigint;
    reason: string;
    /** The instant lots and reservations past their end are expired against. */
    now?: Date;
  },
): Promise<LedgerAnswer> {
  const now = input.now ?? new Date();
  return once(db, input.programId, input.key, async (trx) => {
    const credit = await trx
      .selectFrom('ledger_transfers')
      .selectAll()
      .where('program_id', '=', input.programId)
      .where('key', '=', input.creditKey)
      .where('operation', '=', 'credit')
      .forUpdate()
      .executeTakeFirst();
    if (!credit)
      return { outcome: 'refused', code: 'credit_unknown', detail: `no credit ${input.creditKey}` };
    assert(credit.debit_account_id !== null && credit.credit_account_id !== null, 'a credit has accounts');
    const reversed = await trx
      .selectFrom('ledger_transfers')
      .select(sql<string>`coalesce(sum(amount_points), 0)`.as('total'))
      .where('pending_transfer_id', '=', credit.id)
      .where('operation', '=', 'reverse_credit')
      .executeTakeFirstOrThrow();
    const unreversed = credit.amount_points - BigInt(reversed.total);
    const creditAccountId = credit.credit_account_id;
    // As a reserve does (operations.ts): what is past its end goes first, overdue reservations and
    // then, under the member's lock, lots, so that what a reversal takes never depends on whether the
    // expiry run came before it.
    await expireOverdueReservations(trx, { debitAccountId: creditAccountId, now });
    let member = (await lockCountedAccounts(trx, [creditAccountId])).get(creditAccountId);
    if (member) {
      const account = {
        accountId: creditAccountId,
        programId: input.programId,
        accountRef: member.account_ref,
      };
      const expired = await expireAccountLotsWithNotice(trx, {
        account,
        issuanceAccountId: credit.debit_account_id,
        now,
      });
      if (expired.length > 0)
        member = (await lockCountedAccounts(trx, [creditAccountId])).get(creditAccountId);
    }
    const available = member ? availablePoints(balancesOf(member)) : 0n;
    const taken = [input.points, unreversed, available].reduce((least, value) =>
      value < least ? value : least,
    );
    if (taken <= 0n) {
      return {
        outcome: 'refused',
        code: 'insufficient_points',
        detail:
          unreversed <= 0n ? 'the credit is reversed in full' : 'the member has none of the points left',
      };
    }
    const outcome = await move(trx, {
      programId: input.programId,
      key: input.key,
      kind: 'reverse_credit',
      debitAccountId: credit.credit_account_id,
      creditAccountId: credit.debit_account_id,
      amountPoints: taken,
      status: 'posted',
      pendingTransferId: credit.id,
      expiresAt: null,
      reason: input.reason,
      // The credit's own lots go first, so a reversal takes back what the credit made.
      takeLots: (lotTrx) => takeLots(lotTrx, creditAccountId, taken, credit.id),
    });
    if (outcome.outcome !== 'done') return outcome;
    if (taken === unreversed) {
      await trx
        .updateTable('ledger_transfers')
        .set({ status: 'reversed' })
        .where('id', '=', credit.id)
        .execute();
    }
    return { outcome: 'done', replayed: false, points: taken };
  });
}
