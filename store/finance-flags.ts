// Finance flags as stored: what finance must look at (a transfer the source could not post, a
// compensation that could not be made, a reversal's shortfall; a catalog order, an accrual or a points
// payment whose partner call cannot be known), listed until someone resolves it.
import type { Kysely } from 'kysely';
import type { Database, FinanceFlag } from './database.ts';

export async function listFinanceFlags(
  db: Kysely<Database>,
  input: {
    state: 'open' | 'resolved' | 'all';
    afterId: bigint | null;
    limit: number;
    /** The newest first (a page to look at), rather than the oldest first after a cursor. */
    newestFirst?: boolean;
  },
): Promise<FinanceFlag[]> {
  let query = db
    .selectFrom('finance_flags')
    .selectAll()
    .orderBy('id', input.newestFirst ? 'desc' : 'asc')
    .limit(input.limit);
  if (input.state === 'open') query = query.where('resolved_at', 'is', null);
  if (input.state === 'resolved') query = query.where('resolved_at', 'is not', null);
  if (input.afterId !== null) query = query.where('id', input.newestFirst ? '<' : '>', input.afterId);
  return query.execute();
}

/** Resolves the flag once; the flag as it now stands (undefined when there is none). */
export async function resolveFinanceFlag(
  db: Kysely<Database>,
  input: { flagId: bigint; reason: string; resolvedBy: string; at: Date },
): Promise<FinanceFlag | undefined> {
  await db
    .updateTable('finance_flags')
    .set({ resolved_at: input.at, resolution_reason: input.reason, resolved_by: input.resolvedBy })
    .where('id', '=', input.flagId)
    .where('resolved_at', 'is', null)
    .execute();
  return db.selectFrom('finance_flags').selectAll().where('id', '=', input.flagId).executeTakeFirst();
}
