// The hosted ledger's invariant check, for operators: every entry sums to zero and every account's
// counters equal its entries.
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.ts';
import { checkLedger, type LedgerCheck } from '../store/hosted-ledger/reports.ts';

export function checkHostedLedger(db: Kysely<Database>): Promise<LedgerCheck> {
  return checkLedger(db);
}
