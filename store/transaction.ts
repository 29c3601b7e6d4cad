// Store functions that need a transaction take `db`, which may already be one: a route that stores
// its reply with its effect passes its transaction in, and the function joins it.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database.ts';

export function inTransaction<T>(
  db: Kysely<Database>,
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return db.isTransaction ? work(db as Transaction<Database>) : db.transaction().execute(work);
}
