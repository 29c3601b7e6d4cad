// What every use case works with: the database (or the transaction it joins) and the caches its
// process owns. The gateway and the console make one per process; a test makes its own.
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.ts';
import { createExposureCapCache, type ExposureCapCache } from '../store/exposure.ts';
import { createLedgerAccountIds, type LedgerAccountIds } from '../store/hosted-ledger/accounts.ts';
import { createProgramCache, type ProgramCache } from '../store/programs.ts';

export interface ServiceContext {
  db: Kysely<Database>;
  programs: ProgramCache;
  ledgerAccounts: LedgerAccountIds;
  exposureCaps: ExposureCapCache;
}

export function createServiceContext(db: Kysely<Database>): ServiceContext {
  return {
    db,
    programs: createProgramCache(),
    ledgerAccounts: createLedgerAccountIds(),
    exposureCaps: createExposureCapCache(),
  };
}

/** The same context inside a transaction: the use case's writes join it. */
export function within(context: ServiceContext, db: Kysely<Database>): ServiceContext {
  return { ...context, db };
}
