// A member account's lots: points with their expiry. The rules (burn order, what a credit makes) are
// domain/point-lots.ts; these are the queries. An account's lots change only under the lock on its
// row (reserve, void, reverse, expire), except that a credit adds a lot in its one statement, which
// a reader holding the lock sees together with the counters it moved, or not at all.
import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import { LRUCache } from 'lru-cache';
import { assert } from '../../domain/arithmetic.ts';
import {
  burnOrder,
  type ExpiryPortion,
  type ExpiryProfile,
  type ExpiryRule,
  type LotTaken,
  normalizeProfile,
  takeFromLots,
} from '../../domain/point-lots.ts';
import type { Database, Program } from '../database.ts';

type Db = Kysely<Database> | Transaction<Database>;

export function expiryRuleOf(
  program: Pick<Program, 'points_expiry_rule' | 'points_expiry_period'>,
): ExpiryRule {
  if (program.points_expiry_rule === 'never' || program.points_expiry_period === null)
    return { kind: 'never' };
  return program.points_expiry_rule === 'months_after_earning'
    ? { kind: 'months_after_earning', months: program.points_expiry_period }
    : { kind: 'end_of_calendar_year', years: program.points_expiry_period };
}

/**
 * Programmes' expiry rules as a process remembers them for a few seconds: every credit reads its
 * programme's (a change reaches credits within that time; lots keep the expiry they were made with).
 */
export function createExpiryRuleCache(options: { ttlMs?: number; programsMax?: number } = {}) {
  const rules = new LRUCache<string, ExpiryRule>({
    max: options.programsMax ?? 10_000,
    ttl: options.ttlMs ?? 5_000,
  });
  return async (db: Db, programId: string): Promise<ExpiryRule> => {
    const known = rules.get(programId);
    if (known) return known;
    const program = await db
      .selectFrom('programs')
      .select(['points_expiry_rule', 'points_expiry_period'])
      .where('id', '=', programId)
      .executeTakeFirst();
    assert(program, `programme ${programId} exists`);
    const rule = expiryRuleOf(program);
    rules.set(programId, rule);
    return rule;
  };
}

/** The lots a credit makes, as rows of a VALUES list: (expires_at, points). */
export function lotValues(lots: ExpiryProfile): RawBuilder<unknown> {
  assert(lots.length > 0, 'a credit makes at least one lot');
  return sql.join(lots.map((lot) => sql`(${lot.expiresAt}::timestamptz, ${lot.points}::bigint)`));
}

/**
 * Takes `points` from the account's lots in burn order (a credit's own lots first when `preferCreditId`
 * is given). Run under the account's lock, after its counters said the points are there.
 */
export async function takeLots(
  trx: Transaction<Database>,
  accountId: bigint,
  points: bigint,
  preferCreditId?: bigint,
): Promise<LotTaken[]> {
  const rows = await trx
    .selectFrom('ledger_lots')
    .select(['id', 'remaining_points', 'expires_at', 'credit_transfer_id'])
    .where('account_id', '=', accountId)
    .where('remaining_points', '>', 0n)
    .orderBy('expires_at')
    .orderBy('id')
    .execute();
  const lots = rows.map((row) => ({
    id: row.id,
    remainingPoints: row.remaining_points,
    expiresAt: row.expires_at,
    creditTransferId: row.credit_transfer_id,
  }));
  const ordered = burnOrder(
    lots,
    preferCreditId === undefined ? undefined : (lot) => lot.creditTransferId === preferCreditId,
  );
  const taken = takeFromLots(ordered, points);
  assert(taken, `account ${accountId}: its lots hold what its counters say`);
  return taken;
}

/**
 * The parts of a movement's statement that burn lots: what they lose, and for a reservation which
 * lots it holds (under the movement's own transfer id, `transfer` in the statement).
 */
export function lotChanges(taken: readonly LotTaken[], hold: boolean): RawBuilder<unknown>[] {
  if (taken.length === 0) return [];
  const rows = sql.join(taken.map((part) => sql`(${part.lotId}::bigint, ${part.points}::bigint)`));
  const burn = sql`lots_taken as (
    update ledger_lots set remaining_points = ledger_lots.remaining_points - taken.points
    from (values ${rows}) as taken (lot_id, points) where ledger_lots.id = taken.lot_id)`;
  if (!hold) return [burn];
  const holds = sql`lot_holds as (
    insert into ledger_lot_holds (reservation_id, lot_id, points)
    select transfer.id, held.lot_id, held.points from transfer, (values ${rows}) as held (lot_id, points))`;
  return [burn, holds];
}

/** A voided or expired reservation gives its lots back (an expired lot's points expire at the next run). */
export async function returnHeldLots(trx: Transaction<Database>, reservationId: bigint): Promise<void> {
  await sql`
    update ledger_lots set remaining_points = ledger_lots.remaining_points + held.points
    from ledger_lot_holds held
    where held.reservation_id = ${reservationId} and ledger_lots.id = held.lot_id`.execute(trx);
}

/** What a reservation holds (or burnt, once posted), soonest expiry first. */
export async function reservationProfile(db: Db, reservationId: bigint): Promise<ExpiryProfile> {
  const rows = await db
    .selectFrom('ledger_lot_holds as held')
    .innerJoin('ledger_lots as lot', 'lot.id', 'held.lot_id')
    .select(['held.points', 'lot.expires_at'])
    .where('held.reservation_id', '=', reservationId)
    .execute();
  return normalizeProfile(rows.map((row) => ({ points: row.points, expiresAt: row.expires_at })));
}

/** What an account's available points are made of, soonest expiry first (never-expiring last). */
export async function availableProfile(db: Db, accountId: bigint): Promise<ExpiryProfile> {
  const rows = await db
    .selectFrom('ledger_lots')
    .select(['expires_at', sql<bigint>`sum(remaining_points)::int8`.as('points')])
    .where('account_id', '=', accountId)
    .where('remaining_points', '>', 0n)
    .groupBy('expires_at')
    .execute();
  return normalizeProfile(rows.map((row) => ({ points: row.points, expiresAt: row.expires_at })));
}

/** Member accounts whose lots do not hold exactly their available points: none, always. */
export async function accountsWithLotsOutOfBalance(db: Db): Promise<bigint[]> {
  const rows = await sql<{ id: bigint }>`
    select a.id from ledger_accounts a
    left join (
      select account_id, sum(remaining_points) as remaining from ledger_lots group by account_id
    ) l on l.account_id = a.id
    where a.debits_must_not_exceed_credits
      and coalesce(l.remaining, 0) <> a.credits_posted - a.debits_posted - a.debits_pending`.execute(db);
  return rows.rows.map((row) => row.id);
}

export function portionsOf(taken: readonly LotTaken[]): ExpiryPortion[] {
  return normalizeProfile(taken.map((part) => ({ points: part.points, expiresAt: part.expiresAt })));
}
