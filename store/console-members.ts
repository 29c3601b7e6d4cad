// A member as the console shows it: found by a programme's account or by id, with its links and
// everything that moved its points (transfers, catalog orders, accruals, points payments). `programIds`
// narrows each list to a partner's programmes; null is the whole alliance.
import type { Kysely } from 'kysely';
import type { Database, MemberLink } from './database.ts';

export async function memberIdByAccount(
  db: Kysely<Database>,
  input: { programId: string; accountRef: string },
): Promise<string | undefined> {
  const link = await db
    .selectFrom('member_links')
    .select('member_id')
    .where('program_id', '=', input.programId)
    .where('account_ref', '=', input.accountRef)
    .orderBy('linked_at', 'desc')
    .executeTakeFirst();
  return link?.member_id;
}

export async function memberLinks(
  db: Kysely<Database>,
  input: { memberId: string; programIds: string[] | null },
): Promise<MemberLink[]> {
  let query = db
    .selectFrom('member_links')
    .selectAll()
    .where('member_id', '=', input.memberId)
    .orderBy('linked_at');
  if (input.programIds) query = query.where('program_id', 'in', input.programIds);
  return input.programIds?.length === 0 ? [] : query.execute();
}

export interface MemberEvent {
  kind: 'transfer' | 'order' | 'accrual' | 'payment';
  id: string;
  at: Date;
  /** The programmes it touched: a transfer's source and target, the others' one programme. */
  programIds: string[];
  points: bigint;
  status: string;
}

const historyLimit = 100;

interface OneProgramRow {
  id: string;
  created_at: Date;
  program_id: string;
  points: bigint;
  status: string;
}

/** The member's latest movements of each kind, newest first, at most a hundred of each. */
export async function memberHistory(
  db: Kysely<Database>,
  input: { memberId: string; programIds: string[] | null },
): Promise<MemberEvent[]> {
  const own = input.programIds;
  if (own?.length === 0) return [];
  let transfers = db
    .selectFrom('transfers')
    .select(['id', 'created_at', 'source_program_id', 'target_program_id', 'debit_points', 'status'])
    .where('member_id', '=', input.memberId)
    .orderBy('id', 'desc')
    .limit(historyLimit);
  if (own) {
    transfers = transfers.where((eb) =>
      eb.or([eb('source_program_id', 'in', own), eb('target_program_id', 'in', own)]),
    );
  }
  // Orders, accruals and payments each belong to one programme: narrowed to the partner's.
  const ownOnly = own !== null;
  const ownIds = own ?? [];
  const [transferRows, orders, accruals, payments] = await Promise.all([
    transfers.execute(),
    db
      .selectFrom('catalog_orders')
      .select(['id', 'created_at', 'program_id', 'status', 'debit_points as points'])
      .where('member_id', '=', input.memberId)
      .orderBy('created_at', 'desc')
      .limit(historyLimit)
      .$if(ownOnly, (query) => query.where('program_id', 'in', ownIds))
      .execute(),
    db
      .selectFrom('accruals')
      .select(['id', 'created_at', 'program_id', 'status', 'points'])
      .where('member_id', '=', input.memberId)
      .orderBy('created_at', 'desc')
      .limit(historyLimit)
      .$if(ownOnly, (query) => query.where('program_id', 'in', ownIds))
      .execute(),
    db
      .selectFrom('points_payments')
      .select(['id', 'created_at', 'program_id', 'status', 'authorized_points as points'])
      .where('member_id', '=', input.memberId)
      .orderBy('created_at', 'desc')
      .limit(historyLimit)
      .$if(ownOnly, (query) => query.where('program_id', 'in', ownIds))
      .execute(),
  ]);
  const single =
    (kind: MemberEvent['kind']) =>
    (row: OneProgramRow): MemberEvent => ({
      kind,
      id: row.id,
      at: row.created_at,
      programIds: [row.program_id],
      points: row.points,
      status: row.status,
    });
  const events: MemberEvent[] = [
    ...transferRows.map((row) => ({
      kind: 'transfer' as const,
      id: row.id,
      at: row.created_at,
      programIds: [row.source_program_id, row.target_program_id],
      points: row.debit_points,
      status: row.status,
    })),
    ...orders.map(single('order')),
    ...accruals.map(single('accrual')),
    ...payments.map(single('payment')),
  ];
  return events.sort((a, b) => b.at.getTime() - a.at.getTime());
}

export interface ProgramRow {
  id: string;
  partner_id: string;
  name: string;
  unit_name: string;
  ledger: 'partner_system' | 'hosted';
}

/** Every programme with its owner and ledger: the console labels and scopes by them. */
export function listPrograms(db: Kysely<Database>): Promise<ProgramRow[]> {
  return db
    .selectFrom('programs')
    .select(['id', 'partner_id', 'name', 'unit_name', 'ledger'])
    .orderBy('name')
    .execute();
}
