// Earn agreements as stored: between a merchant partner and an earning programme, versioned, never
// edited in place (the rules of proposing and accepting are in services/earn-agreements.ts), and
// the query for the version in force.
import type { Kysely, Transaction } from 'kysely';
import { type EarnTerms, earnTermsInForce } from '../domain/accrual.ts';
import type { Database, EarnAgreementVersion } from './database.ts';
import { newId } from './ids.ts';

interface StoredTierBonus {
  tier: string;
  numerator: string;
  denominator: string;
}

export type ProposedEarnTerms = EarnTerms;

export interface EarnAgreementVersionRecord {
  agreementId: string;
  version: number;
  terms: EarnTerms;
  proposedBy: string;
  merchantAcceptedAt: Date | null;
  createdAt: Date;
}

type VersionRow = EarnAgreementVersion & { merchant_partner_id: string; program_id: string };

function toRecord(row: VersionRow): EarnAgreementVersionRecord {
  const bonuses = row.tier_bonuses as StoredTierBonus[];
  return {
    agreementId: row.agreement_id,
    version: row.version,
    terms: {
      merchantPartnerId: row.merchant_partner_id,
      programId: row.program_id,
      purchaseCurrency: row.purchase_currency,
      earnPoints: row.earn_points,
      perAmountMinor: row.per_amount_minor,
      tierBonuses: bonuses.map((bonus) => ({
        tier: bonus.tier,
        multiplier: { numerator: BigInt(bonus.numerator), denominator: BigInt(bonus.denominator) },
      })),
      priceAmountMinor: row.price_amount_minor,
      pricePerPoints: row.price_per_points,
      priceCurrency: row.price_currency,
      effectiveFrom: row.effective_from,
      effectiveUntil: row.effective_until,
    },
    proposedBy: row.proposed_by,
    merchantAcceptedAt: row.merchant_accepted_at,
    createdAt: row.created_at,
  };
}

function versions(db: Kysely<Database>) {
  return db
    .selectFrom('earn_agreement_versions as v')
    .innerJoin('earn_agreements as a', 'a.id', 'v.agreement_id')
    .selectAll('v')
    .select(['a.merchant_partner_id', 'a.program_id']);
}

/** The agreement between a merchant and a programme (made on first proposal), locked until the transaction ends. */
export async function lockEarnAgreement(
  trx: Transaction<Database>,
  merchantPartnerId: string,
  programId: string,
): Promise<string> {
  await trx
    .insertInto('earn_agreements')
    .values({ id: newId('ear'), merchant_partner_id: merchantPartnerId, program_id: programId })
    .onConflict((conflict) => conflict.columns(['merchant_partner_id', 'program_id']).doNothing())
    .execute();
  const agreement = await trx
    .selectFrom('earn_agreements')
    .select('id')
    .where('merchant_partner_id', '=', merchantPartnerId)
    .where('program_id', '=', programId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return agreement.id;
}

/** Writes the agreement's next version (the caller holds the agreement's lock). */
export async function insertNextEarnVersion(
  trx: Transaction<Database>,
  input: { agreementId: string; terms: EarnTerms; proposedBy: string },
): Promise<EarnAgreementVersionRecord> {
  const { terms } = input;
  const latest = await trx
    .selectFrom('earn_agreement_versions')
    .select((eb) => eb.fn.max('version').as('version'))
    .where('agreement_id', '=', input.agreementId)
    .executeTakeFirst();
  const row = await trx
    .insertInto('earn_agreement_versions')
    .values({
      agreement_id: input.agreementId,
      version: (latest?.version ?? 0) + 1,
      purchase_currency: terms.purchaseCurrency,
      earn_points: terms.earnPoints,
      per_amount_minor: terms.perAmountMinor,
      tier_bonuses: JSON.stringify(
        terms.tierBonuses.map((bonus) => ({
          tier: bonus.tier,
          numerator: String(bonus.multiplier.numerator),
          denominator: String(bonus.multiplier.denominator),
        })),
      ),
      price_amount_minor: terms.priceAmountMinor,
      price_per_points: terms.pricePerPoints,
      price_currency: terms.priceCurrency,
      effective_from: terms.effectiveFrom,
      effective_until: terms.effectiveUntil,
      proposed_by: input.proposedBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRecord({ ...row, merchant_partner_id: terms.merchantPartnerId, program_id: terms.programId });
}

export async function findEarnVersion(
  db: Kysely<Database>,
  agreementId: string,
  version: number,
): Promise<EarnAgreementVersionRecord | undefined> {
  const row = await versions(db)
    .where('v.agreement_id', '=', agreementId)
    .where('v.version', '=', version)
    .executeTakeFirst();
  return row && toRecord(row);
}

/** Records the merchant's acceptance; a second acceptance keeps the first moment. */
export async function markEarnVersionAccepted(
  trx: Transaction<Database>,
  input: { agreementId: string; version: number; at: Date },
): Promise<EarnAgreementVersionRecord> {
  await trx
    .updateTable('earn_agreement_versions')
    .set({ merchant_accepted_at: input.at })
    .where('agreement_id', '=', input.agreementId)
    .where('version', '=', input.version)
    .where('merchant_accepted_at', 'is', null)
    .execute();
  const found = await findEarnVersion(trx, input.agreementId, input.version);
  if (!found) throw new Error(`earn agreement ${input.agreementId} lost version ${input.version}`);
  return found;
}

export async function listEarnVersions(
  db: Kysely<Database>,
  agreementId: string,
): Promise<EarnAgreementVersionRecord[]> {
  const rows = await versions(db).where('v.agreement_id', '=', agreementId).orderBy('v.version').execute();
  return rows.map(toRecord);
}

/**
 * The version in force between a merchant and a programme at a moment: of the versions the merchant
 * accepted and whose start has come, the one that started last (the highest version on a tie),
 * unless its window has closed.
 */
export async function earnVersionInForce(
  db: Kysely<Database>,
  input: { merchantPartnerId: string; programId: string; at: Date },
): Promise<EarnAgreementVersionRecord | undefined> {
  const row = await versions(db)
    .where('a.merchant_partner_id', '=', input.merchantPartnerId)
    .where('a.program_id', '=', input.programId)
    .where('v.merchant_accepted_at', 'is not', null)
    .where('v.effective_from', '<=', input.at)
    .orderBy('v.effective_from', 'desc')
    .orderBy('v.version', 'desc')
    .limit(1)
    .executeTakeFirst();
  const record = row && toRecord(row);
  return record && earnTermsInForce(record.terms, input.at) ? record : undefined;
}
