// The hosted ledger's invariant check, for operators: every entry sums to zero and every account's
// counters equal its entries.
import { checkLedger, type LedgerCheck } from '../store/hosted-ledger/reports.ts';
import type { ServiceContext } from './context.ts';

export function checkHostedLedger({ db }: ServiceContext): Promise<LedgerCheck> {
  return checkLedger(db);
}
