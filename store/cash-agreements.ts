// Cash agreements as stored: offered by a programme's owner, accepted by a merchant; the accepted
// one of a programme and merchant prices that merchant's points payments. Offers and acceptances of
// one programme and merchant (a pair) run one at a time, under the pair's lock.
import { type Kysely, sql } from 'kysely';
import type { CashAgreement, Database } from './database.ts';

export async function insertCashAgreement(
  db: Kysely<Database>,
  agreement: {
    id: string;
    programId: string;
    ownerId: string;
    merchantId: string;
    amountMinor: bigint;
    perPoints: bigint;
    currency: string;
  },
): Promise<CashAgreement> {
  return db
    .insertInto('cash_agreements')
    .values({
      id: agreement.id,
      program_id: agreement.programId,
      owner_id: agreement.ownerId,
      merchant_id: agreement.merchantId,
      amount_minor: agreement.amountMinor,
      per_points: agreement.perPoints,
      currency: agreement.currency,
      status: 'offered',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * The pair's lock, held until the caller's transaction ends: offers and acceptances of one programme
 * and merchant run one at a time. Taken before any agreement row's lock, always.
 */
export async function lockCashAgreementPair(
  db: Kysely<Database>,
  pair: { programId: string; merchantId: string },
): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`cash agreement ${pair.programId} ${pair.merchantId}`}))`.execute(
    db,
  );
}

/** A newer offer withdraws the pair's offers still waiting: they end, never to be accepted. */
export async function endWaitingOffers(
  db: Kysely<Database>,
  pair: { programId: string; merchantId: string },
  at: Date,
): Promise<void> {
  await db
    .updateTable('cash_agreements')
    .set({ status: 'ended', ended_at: at })
    .where('program_id', '=', pair.programId)
    .where('merchant_id', '=', pair.merchantId)
    .where('status', '=', 'offered')
    .execute();
}

/** The pair's newest agreement that was ever accepted, when it was offered after `agreement`. */
export async function findNewerAcceptedCashAgreement(
  db: Kysely<Database>,
  agreement: CashAgreement,
): Promise<CashAgreement | undefined> {
  return db
    .selectFrom('cash_agreements')
    .selectAll()
    .where('program_id', '=', agreement.program_id)
    .where('merchant_id', '=', agreement.merchant_id)
    .where('accepted_at', 'is not', null)
    .where('id', '>', agreement.id)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function lockCashAgreement(
  db: Kysely<Database>,
  agreementId: string,
): Promise<CashAgreement | undefined> {
  return db
    .selectFrom('cash_agreements')
    .selectAll()
    .where('id', '=', agreementId)
    .forUpdate()
    .executeTakeFirst();
}

export async function findCashAgreement(
  db: Kysely<Database>,
  agreementId: string,
): Promise<CashAgreement | undefined> {
  return db.selectFrom('cash_agreements').selectAll().where('id', '=', agreementId).executeTakeFirst();
}

/** Accepts the offer and ends the pair's earlier accepted agreement, in the caller's transaction. */
export async function acceptCashAgreement(
  db: Kysely<Database>,
  agreement: CashAgreement,
  at: Date,
): Promise<CashAgreement> {
  await db
    .updateTable('cash_agreements')
    .set({ status: 'ended', ended_at: at })
    .where('program_id', '=', agreement.program_id)
    .where('merchant_id', '=', agreement.merchant_id)
    .where('status', '=', 'accepted')
    .execute();
  return db
    .updateTable('cash_agreements')
    .set({ status: 'accepted', accepted_at: at })
    .where('id', '=', agreement.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findAcceptedCashAgreement(
  db: Kysely<Database>,
  programId: string,
  merchantId: string,
): Promise<CashAgreement | undefined> {
  return db
    .selectFrom('cash_agreements')
    .selectAll()
    .where('program_id', '=', programId)
    .where('merchant_id', '=', merchantId)
    .where('status', '=', 'accepted')
    .executeTakeFirst();
}
