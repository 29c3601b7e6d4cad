// The partner registry as stored: partners, their programmes and their public keys.
import type { JWK } from 'jose';
import type { Kysely, Transaction } from 'kysely';
import type { Database, Partner, PartnerKey, PartnerStatus, Program, ProgramLedger } from './database.ts';
import { newId } from './ids.ts';
import { inTransaction } from './transaction.ts';

export interface NewPartnerInput {
  name: string;
  webhookUrl: string | null;
  loyaltyApiUrl: string | null;
  programs: readonly { name: string; unitName: string; ledger: ProgramLedger }[];
  keys: readonly (JWK & { kid: string; alg: string })[];
}

export interface PartnerRecord {
  partner: Partner;
  programs: Program[];
  keys: PartnerKey[];
}

/** Creates a partner with its programmes and keys in one transaction. */
export async function createPartner(db: Kysely<Database>, input: NewPartnerInput): Promise<PartnerRecord> {
  return inTransaction(db, async (trx) => {
    const partnerId = newId('ptn');
    await trx
      .insertInto('partners')
      .values({
        id: partnerId,
        name: input.name,
        status: 'active',
        webhook_url: input.webhookUrl,
        loyalty_api_url: input.loyaltyApiUrl,
      })
      .execute();
    if (input.programs.length > 0) {
      await trx
        .insertInto('programs')
        .values(
          input.programs.map((program) => ({
            id: newId('prg'),
            partner_id: partnerId,
            name: program.name,
            unit_name: program.unitName,
            ledger: program.ledger,
          })),
        )
        .execute();
    }
    await trx
      .insertInto('partner_keys')
      .values(
        input.keys.map((jwk) => ({
          partner_id: partnerId,
          kid: jwk.kid,
          alg: jwk.alg,
          public_jwk: JSON.stringify(jwk),
          status: 'active' as const,
        })),
      )
      .execute();
    const record = await findPartner(trx, partnerId);
    if (!record) throw new Error(`partner ${partnerId} vanished inside its own transaction`);
    return record;
  });
}

export async function findPartner(
  db: Kysely<Database>,
  partnerId: string,
): Promise<PartnerRecord | undefined> {
  const partner = await db.selectFrom('partners').selectAll().where('id', '=', partnerId).executeTakeFirst();
  if (!partner) return undefined;
  const [programs, keys] = await Promise.all([
    db.selectFrom('programs').selectAll().where('partner_id', '=', partnerId).orderBy('id').execute(),
    db
      .selectFrom('partner_keys')
      .selectAll()
      .where('partner_id', '=', partnerId)
      .orderBy('created_at')
      .execute(),
  ]);
  return { partner, programs, keys };
}

/** What signature verification needs: the partner's status and its active public keys. */
export async function findVerificationKeys(
  db: Kysely<Database>,
  partnerId: string,
): Promise<{ status: PartnerStatus; keys: JWK[] } | undefined> {
  const rows = await db
    .selectFrom('partners')
    .leftJoin('partner_keys', (join) =>
      join.onRef('partner_keys.partner_id', '=', 'partners.id').on('partner_keys.status', '=', 'active'),
    )
    .select(['partners.status', 'partner_keys.public_jwk'])
    .where('partners.id', '=', partnerId)
    .execute();
  const first = rows[0];
  if (!first) return undefined;
  const keys = rows.flatMap((row) => (row.public_jwk ? [row.public_jwk as JWK] : []));
  return { status: first.status, keys };
}

/** Changes the partner's status; false when there is no such partner. */
export async function updatePartnerStatus(
  db: Kysely<Database>,
  partnerId: string,
  status: PartnerStatus,
): Promise<boolean> {
  const updated = await db
    .updateTable('partners')
    .set({ status, updated_at: new Date() })
    .where('id', '=', partnerId)
    .executeTakeFirst();
  return updated.numUpdatedRows === 1n;
}

/** Sets where the partner's webhooks go (null: none are queued for it); false when there is no such partner. */
export async function updateWebhookUrl(
  db: Kysely<Database>,
  partnerId: string,
  webhookUrl: string | null,
): Promise<boolean> {
  const updated = await db
    .updateTable('partners')
    .set({ webhook_url: webhookUrl, updated_at: new Date() })
    .where('id', '=', partnerId)
    .executeTakeFirst();
  return updated.numUpdatedRows === 1n;
}

/** Adds an active key; false when the partner has a key with that kid already. */
export async function insertPartnerKey(
  db: Kysely<Database>,
  partnerId: string,
  jwk: JWK & { kid: string; alg: string },
): Promise<boolean> {
  const inserted = await db
    .insertInto('partner_keys')
    .values({
      partner_id: partnerId,
      kid: jwk.kid,
      alg: jwk.alg,
      public_jwk: JSON.stringify(jwk),
      status: 'active',
    })
    .onConflict((conflict) => conflict.columns(['partner_id', 'kid']).doNothing())
    .executeTakeFirst();
  return inserted.numInsertedOrUpdatedRows === 1n;
}

/** The partner's keys and their status, with the partner row locked until the transaction ends. */
export async function lockPartnerKeys(
  trx: Transaction<Database>,
  partnerId: string,
): Promise<{ kid: string; status: string }[] | undefined> {
  const partner = await trx
    .selectFrom('partners')
    .select('id')
    .where('id', '=', partnerId)
    .forUpdate()
    .executeTakeFirst();
  if (!partner) return undefined;
  return trx
    .selectFrom('partner_keys')
    .select(['kid', 'status'])
    .where('partner_id', '=', partnerId)
    .execute();
}

export async function markKeyRetired(trx: Transaction<Database>, partnerId: string, kid: string, at: Date) {
  await trx
    .updateTable('partner_keys')
    .set({ status: 'retired', retired_at: at })
    .where('partner_id', '=', partnerId)
    .where('kid', '=', kid)
    .execute();
}
