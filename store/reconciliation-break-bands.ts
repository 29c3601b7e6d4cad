// Open reconciliation breaks by age, for the console: each band counted whole and listed up to a
// page, so that a busy programme's newest breaks neither hide its oldest nor miscount the bands.
import { type Kysely, sql } from 'kysely';
import type { Database, ReconciliationBreak } from './database.ts';

export interface BreakBand {
  /** Occurred at or after this instant (null: no bound). */
  since: Date | null;
  /** Occurred before this instant (null: no bound). */
  before: Date | null;
}

function openInBand(db: Kysely<Database>, input: { partnerId: string | null; band: BreakBand }) {
  let query = db.selectFrom('reconciliation_breaks').where('resolved_at', 'is', null);
  if (input.partnerId) query = query.where('partner_id', '=', input.partnerId);
  if (input.band.since) query = query.where('occurred_at', '>=', input.band.since);
  if (input.band.before) query = query.where('occurred_at', '<', input.band.before);
  return query;
}

/** The band's open breaks, oldest first (the longest waiting lead), at most `limit`, and how many there are. */
export async function openBreaksInBand(
  db: Kysely<Database>,
  input: { partnerId: string | null; band: BreakBand; limit: number },
): Promise<{ total: number; breaks: ReconciliationBreak[] }> {
  const [counted, breaks] = await Promise.all([
    openInBand(db, input).select(sql<number>`count(*)::int`.as('total')).executeTakeFirstOrThrow(),
    openInBand(db, input).selectAll().orderBy('occurred_at').orderBy('id').limit(input.limit).execute(),
  ]);
  return { total: counted.total, breaks };
}
