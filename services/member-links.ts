// The member-link use case: a partner links its own account to an alliance member (enrolling the
// member when new) with the member's recorded consent, revokes it, and reads its links. A new link
// starts a cooling-off period during which transfers out are capped.
import { ProblemError } from '../domain/errors.ts';
import type { MemberLink } from '../store/database.ts';
import { ensureAccount } from '../store/hosted-ledger/accounts.ts';
import { newId } from '../store/ids.ts';
import {
  findLink,
  insertLink,
  insertMember,
  listOwnLinks,
  markLinkRevoked,
  memberExists,
} from '../store/members.ts';
import { inTransaction } from '../store/transaction.ts';
import type { ServiceContext } from './context.ts';
import { requireOwnProgram } from './programs.ts';

export interface LinkRequest {
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

export async function linkMember(context: ServiceContext, request: LinkRequest): Promise<MemberLink> {
  const program = await requireOwnProgram(context, request.partnerId, request.programId, 'programId');
  return inTransaction(context.db, async (trx) => {
    let memberId = request.memberId;
    if (memberId === null) {
      memberId = newId('mbr');
      await insertMember(trx, memberId);
    } else if (!(await memberExists(trx, memberId))) {
      throw new ProblemError('not_found', `Member ${memberId} does not exist.`, [
        { field: 'memberId', message: 'unknown member' },
      ]);
    }
    const link = await insertLink(trx, {
      id: newId('lnk'),
      memberId,
      programId: request.programId,
      accountRef: request.accountRef,
      tier: request.tier,
      consent: request.consent,
      linkedAt: request.now,
      coolingOffUntil: new Date(request.now.getTime() + request.coolingOffHours * 3_600_000),
    });
    if (!link) {
      throw new ProblemError(
        'member_link_exists',
        'The account, or the member in this programme, is already linked.',
        [{ field: 'accountRef', message: 'already linked' }],
      );
    }
    if (program.ledger === 'hosted')
      await ensureAccount(trx, request.programId, request.accountRef, 'member');
    return link;
  });
}

/** Revokes the partner's own link (consent withdrawn, account closed); revoking twice changes nothing. */
export async function revokeLink(
  context: ServiceContext,
  input: { partnerId: string; linkId: string; reason: string; now: Date },
): Promise<MemberLink> {
  const link = await findLink(context.db, input.linkId);
  if (!link) throw new ProblemError('not_found', `Link ${input.linkId} does not exist.`);
  await requireOwnProgram(context, input.partnerId, link.program_id, 'linkId');
  if (link.revoked_at) return link;
  return markLinkRevoked(context.db, { linkId: input.linkId, reason: input.reason, at: input.now });
}

/** A member's links to the partner's own programmes. */
export function listLinks(
  context: ServiceContext,
  partnerId: string,
  memberId: string,
): Promise<MemberLink[]> {
  return listOwnLinks(context.db, partnerId, memberId);
}
