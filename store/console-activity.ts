// Transfers per minute by outcome, for the console's plot. Transfer ids begin with their creation
// time in milliseconds (store/ids.ts), so "created since" is a range on the primary key rather than
// a scan, or an index on created_at that every transfer would have to write.
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.ts';
import { newId } from './ids.ts';

/** The smallest transfer id made at `at`: the time part of an id, then its 80 random bits (16 characters) at zero. */
export function firstTransferIdAt(at: Date): string {
  return `${newId('trf', at.getTime()).slice(0, -16)}${'0'.repeat(16)}`;
}

export interface MinuteCount {
  minute: Date;
  status: string;
  count: number;
}

export async function transfersPerMinute(
  db: Kysely<Database>,
  input: { partnerId: string | null; since: Date },
): Promise<MinuteCount[]> {
  let query = db
    .selectFrom('transfers')
    .select([
      sql<Date>`date_trunc('minute', created_at)`.as('minute'),
      'status',
      (eb) => eb.fn.countAll<string>().as('count'),
    ])
    .where('id', '>=', firstTransferIdAt(input.since))
    .groupBy([sql`date_trunc('minute', created_at)`, 'status'])
    .orderBy('minute');
  if (input.partnerId) {
    const own = db.selectFrom('programs').select('id').where('partner_id', '=', input.partnerId);
    const partnerId = input.partnerId;
    query = query.where((eb) =>
      eb.or([
        eb('requested_by', '=', partnerId),
        eb('source_program_id', 'in', own),
        eb('target_program_id', 'in', own),
      ]),
    );
  }
  const rows = await query.execute();
  return rows.map((row) => ({ minute: row.minute, status: row.status, count: Number(row.count) }));
}
