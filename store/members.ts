// Alliance members and their links to programme accounts, as stored (services/member-links.ts holds
// the rules: who may link, consent, cooling-off).
import type { Kysely, QueryCreator, Transaction } from 'kysely';
import type { Database, MemberLink } from './database.ts';

export async function insertMember(db: Kysely<Database>, memberId: string): Promise<void> {
  await db.insertInto('members').values({ id: memberId }).execute();
}

export async function memberExists(db: Kysely<Database>, memberId: string): Promise<boolean> {
  return (
    (await db.selectFrom('members').select('id').where('id', '=', memberId).executeTakeFirst()) !== undefined
  );
}

export interface NewLink {
  id: string;
  memberId: string;
  programId: string;
  accountRef: string;
  tier: string | null;
  consent: { grantedAt: Date; scopes: string[]; reference: string };
  linkedAt: Date;
  coolingOffUntil: Date;
}

/** Inserts the link; undefined when the account, or the member in this programme, is linked already. */
export async function insertLink(db: Kysely<Database>, link: NewLink): Promise<MemberLink | undefined> {
  return db
    .insertInto('member_links')
    .values({
      id: link.id,
      member_id: link.memberId,
      program_id: link.programId,
      account_ref: link.accountRef,
      tier: link.tier,
      consent_granted_at: link.consent.grantedAt,
      consent_scopes: link.consent.scopes,
      consent_reference: link.consent.reference,
      linked_at: link.linkedAt,
      cooling_off_until: link.coolingOffUntil,
    })
    .onConflict((conflict) => conflict.doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function findLink(db: Kysely<Database>, linkId: string): Promise<MemberLink | undefined> {
  return db.selectFrom('member_links').selectAll().where('id', '=', linkId).executeTakeFirst();
}

export async function markLinkRevoked(
  db: Kysely<Database>,
  input: { linkId: string; reason: string; at: Date },
): Promise<MemberLink> {
  return db
    .updateTable('member_links')
    .set({ revoked_at: input.at, revoked_reason: input.reason })
    .where('id', '=', input.linkId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findActiveLink(
  db: Kysely<Database>,
  memberId: string,
  programId: string,
): Promise<MemberLink | undefined> {
  return db
    .selectFrom('member_links')
    .selectAll()
    .where('member_id', '=', memberId)
    .where('program_id', '=', programId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

/**
 * A member's active links to a transfer's two programmes in one read, the source's locked until the
 * transaction ends (the target's is only read, so two members' opposite transfers never wait on each
 * other). A revocation committed while the lock was awaited is seen: the link is then absent.
 */
export async function lockSourceLinkReadTarget(
  trx: Transaction<Database>,
  input: { memberId: string; sourceProgramId: string; targetProgramId: string },
): Promise<{ source?: MemberLink; target?: MemberLink }> {
  const active = (db: QueryCreator<Database>, programId: string) =>
    db
      .selectFrom('member_links')
      .selectAll()
      .where('member_id', '=', input.memberId)
      .where('program_id', '=', programId)
      .where('revoked_at', 'is', null);
  const rows = await trx
    .with('source', (db) => active(db, input.sourceProgramId).forUpdate())
    .selectFrom('source')
    .selectAll()
    .unionAll(active(trx, input.targetProgramId))
    .execute();
  return {
    source: rows.find((link) => link.program_id === input.sourceProgramId),
    target: rows.find((link) => link.program_id === input.targetProgramId),
  };
}

/**
 * A member's active links to a transfer's two programmes, both locked until the transaction ends, in
 * the programmes' order (two such locks never wait on each other in a cycle): what a held transfer's
 * release reads, so that a revocation of either link, the new one a thief made most of all, waits for
 * the release or is seen by it.
 */
export async function lockBothLinks(
  trx: Transaction<Database>,
  input: { memberId: string; sourceProgramId: string; targetProgramId: string },
): Promise<{ source?: MemberLink; target?: MemberLink }> {
  const rows = await trx
    .selectFrom('member_links')
    .selectAll()
    .where('member_id', '=', input.memberId)
    .where('program_id', 'in', [input.sourceProgramId, input.targetProgramId])
    .where('revoked_at', 'is', null)
    .orderBy('program_id')
    .forUpdate()
    .execute();
  return {
    source: rows.find((link) => link.program_id === input.sourceProgramId),
    target: rows.find((link) => link.program_id === input.targetProgramId),
  };
}

export async function listOwnLinks(
  db: Kysely<Database>,
  partnerId: string,
  memberId: string,
): Promise<MemberLink[]> {
  return db
    .selectFrom('member_links')
    .innerJoin('programs', 'programs.id', 'member_links.program_id')
    .selectAll('member_links')
    .where('programs.partner_id', '=', partnerId)
    .where('member_links.member_id', '=', memberId)
    .orderBy('member_links.id')
    .execute();
}
