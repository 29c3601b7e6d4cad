// The LoyaltyAdapter over the gateway's own hosted ledger, for programmes without a system of their own.
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.ts';
import type { LedgerAccountIds } from '../store/hosted-ledger/accounts.ts';
import { reverseCredit } from '../store/hosted-ledger/credit-reversals.ts';
import type { LedgerAnswer } from '../store/hosted-ledger/movements.ts';
import {
  askOutcome,
  creditPoints,
  postReservation,
  reservePoints,
  voidReservation,
} from '../store/hosted-ledger/operations.ts';
import { listLedgerTransactions, readBalance } from '../store/hosted-ledger/reports.ts';
import { type LoyaltyAdapter, type PartnerAnswer, transactionsPageSizeMax } from './loyalty-adapter.ts';

function toStep(outcome: LedgerAnswer): PartnerAnswer {
  return outcome.outcome === 'done' ? { outcome: 'done' } : outcome;
}

export function createHostedAdapter(
  db: Kysely<Database>,
  accountIds: LedgerAccountIds,
  programId: string,
): LoyaltyAdapter {
  return {
    reserve: async (input) => {
      const answer = await reservePoints(db, accountIds, { programId, ...input });
      if (answer.outcome === 'refused') return answer;
      return answer.expiryProfile
        ? { outcome: 'done', expiryProfile: answer.expiryProfile }
        : { outcome: 'done' };
    },
    post: async (input) =>
      toStep(await postReservation(db, { programId, ...input, reason: 'transfer posted' })),
    void: async (input) =>
      toStep(await voidReservation(db, { programId, ...input, reason: 'transfer voided' })),
    credit: async ({ expiryProfile, ...input }) =>
      toStep(await creditPoints(db, accountIds, { programId, ...input, carriedExpiry: expiryProfile })),
    reverseCredit: async (input) => {
      const answer = await reverseCredit(db, { programId, ...input });
      if (answer.outcome === 'refused') return answer;
      if (answer.points === undefined) throw new Error(`reversal ${input.key} answered without its points`);
      return { outcome: 'done', reversedPoints: answer.points };
    },
    outcome: (key) => askOutcome(db, programId, key),
    // The gateway keeps a hosted programme's catalog itself: there is no feed to follow.
    catalog: async () => null,
    transactions: (period) =>
      listLedgerTransactions(db, { programId, ...period, limit: transactionsPageSizeMax }),
    balance: async (accountRef) => {
      const balance = await readBalance(db, programId, accountRef);
      return (
        balance && {
          accountRef,
          availablePoints: balance.availablePoints,
          postedPoints: balance.postedPoints,
        }
      );
    },
  };
}
