// Alliance members and their links to programme accounts. A partner asserts a link for an account
// it owns, with the member's recorded consent; a new link starts a cooling-off period.
import type { Kysely } from 'kysely';
import { ProblemError } from '../domain/errors.ts';
import type { Database, MemberLink } from './database.ts';
import { ensureAccount } from './hosted-ledger/accounts.ts';
import { newId } from './ids.ts';
import { requireOwnProgram } from './programs.ts';
import { inTransaction } from './transaction.ts';

export interface LinkInput {
  partnerId: string;
  /** An existing alliance member, or null to enrol a new one. */
  memberId: string | null;
  programId: string;
  accountRef: string;
  tier: string | null;
  consent: { grantedAt: Date; scopes: string[]; reference: string };
  coolingOffHours: number;
  now: Date;
}

export async function linkMember(db: Kysely<Database>, input: LinkInput): Promise<MemberLink> {
  const program = await requireOwnProgram(db, input.partnerId, input.programId, 'programId');
  return inTransaction(db, async (trx) => {
    let memberId = input.memberId;
    if (memberId === null) {
      memberId = newId('mbr');
      await trx.insertInto('members').values({ id: memberId }).execute();
    } else if (
      !(await trx.selectFrom('members').select('id').where('id', '=', memberId).executeTakeFirst())
    ) {
      throw new ProblemError('not_found', `Member ${memberId} does not exist.`, [
        { field: 'memberId', message: 'unknown member' },
      ]);
    }
    const inserted = await trx
      .insertInto('member_links')
      .values({
        id: newId('lnk'),
        member_id: memberId,
        program_id: input.programId,
        account_ref: input.accountRef,
        tier: input.tier,
        consent_granted_at: input.consent.grantedAt,
        consent_scopes: input.consent.scopes,
        consent_reference: input.consent.reference,
        linked_at: input.now,
        cooling_off_until: new Date(input.now.getTime() + input.coolingOffHours * 3_600_000),
      })
      .onConflict((conflict) => conflict.doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!inserted) {
      throw new ProblemError(
        'member_link_exists',
        'The account, or the member in this programme, is already linked.',
        [{ field: 'accountRef', message: 'already linked' }],
      );
    }
    if (program.ledger === 'hosted') await ensureAccount(trx, input.programId, input.accountRef, 'member');
    return inserted;
  });
}

export async function revokeLink(
  db: Kysely<Database>,
  partnerId: string,
  linkId: string,
  reason: string,
): Promise<MemberLink> {
  const link = await db.selectFrom('member_links').selectAll().where('id', '=', linkId).executeTakeFirst();
  if (!link) throw new ProblemError('not_found', `Link ${linkId} does not exist.`);
  await requireOwnProgram(db, partnerId, link.program_id, 'linkId');
  if (link.revoked_at) return link;
  return db
    .updateTable('member_links')
    .set({ revoked_at: new Date(), revoked_reason: reason })
    .where('id', '=', linkId)
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

/** The member's active link to a programme that allows transfers; a 422 naming the field when missing. */
export async function requireTransferLink(
  db: Kysely<Database>,
  memberId: string,
  programId: string,
  field: string,
): Promise<MemberLink> {
  const link = await findActiveLink(db, memberId, programId);
  if (!link?.consent_scopes.includes('transfers')) throw memberLinkMissing(memberId, programId, field);
  return link;
}

export function memberLinkMissing(memberId: string, programId: string, field: string): ProblemError {
  return new ProblemError(
    'member_link_missing',
    `Member ${memberId} has no active link with transfer consent to ${programId}.`,
    [{ field, message: 'the member is not linked to this programme' }],
  );
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
