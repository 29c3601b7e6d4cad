// Who may start a transfer out of a programme. The member's points at the source belong to the
// source partner's books, so that partner may always move them out (a push, the member asked in its
// app) once the member consented to transfers there. The partner at the other end may pull them
// only when the member's consent at the source also says `pull_transfers`: otherwise any partner
// of an agreement could debit another's member.
import { ProblemError } from './errors.ts';

export type ConsentScope = 'transfers' | 'pull_transfers' | 'redemptions';
export const consentScopes = ['transfers', 'pull_transfers', 'redemptions'] as const;

export interface TransferParties {
  requesterPartnerId: string;
  sourcePartnerId: string;
  targetPartnerId: string;
  /** The scopes of the member's consent at the source programme. */
  sourceConsentScopes: readonly string[];
}

/** Throws `forbidden`, naming sourceProgramId, unless the requester may move these points out. */
export function requireTransferRequester(parties: TransferParties): 'push' | 'pull' {
  if (parties.requesterPartnerId === parties.sourcePartnerId) return 'push';
  if (parties.requesterPartnerId !== parties.targetPartnerId) {
    throw new ProblemError(
      'forbidden',
      'Only a partner owning one of the two programmes may quote a transfer.',
    );
  }
  if (parties.sourceConsentScopes.includes('pull_transfers')) return 'pull';
  throw new ProblemError(
    'forbidden',
    "Only the source programme's partner may move a member's points out of it, unless the member's consent there includes pull_transfers.",
    [{ field: 'sourceProgramId', message: 'the member has not allowed other partners to pull from it' }],
  );
}

/** The member must have an active link to the programme whose consent includes transfers. */
export function requireTransferConsent(
  link: { consentScopes: readonly string[] | null } | undefined,
  at: { memberId: string; programId: string; field: string },
): void {
  if (link?.consentScopes?.includes('transfers')) return;
  throw new ProblemError(
    'member_link_missing',
    `Member ${at.memberId} has no active link with transfer consent to ${at.programId}.`,
    [{ field: at.field, message: 'the member is not linked to this programme' }],
  );
}

/**
 * The member must have an active link to the programme whose consent includes redemptions: spending
 * its points at a checkout or in the catalog.
 */
export function requireRedemptionsConsent<Link extends { consent_scopes: readonly string[] | null }>(
  link: Link | undefined,
  at: { memberId: string; programId: string },
): asserts link is Link {
  if (link?.consent_scopes?.includes('redemptions')) return;
  throw new ProblemError(
    'member_link_missing',
    `Member ${at.memberId} has no active link with redemptions consent to ${at.programId}.`,
    [{ field: 'memberId', message: 'the member has not allowed spending these points' }],
  );
}
