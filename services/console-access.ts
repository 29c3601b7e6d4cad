// Who may see and do what in the console. A partner's users see their partner's share of the
// alliance only; writes are named actions, each allowed to the roles that do it through the API.
import { ProblemError } from '../domain/errors.ts';
import type { ConsoleRole } from '../store/database.ts';

export const consoleRoles = [
  'operator',
  'finance',
  'partner_admin',
  'partner_viewer',
] as const satisfies readonly ConsoleRole[];

export interface ConsoleViewer {
  username: string;
  role: ConsoleRole;
  /** The partner a partner user belongs to; null for the alliance's own staff. */
  partnerId: string | null;
}

export function isPartnerRole(role: ConsoleRole): boolean {
  return role === 'partner_admin' || role === 'partner_viewer';
}

/** The partner whose data a viewer is limited to, or null for the whole alliance. */
export function partnerScope(viewer: ConsoleViewer): string | null {
  if (isPartnerRole(viewer.role)) {
    if (!viewer.partnerId)
      throw new Error(`console user ${viewer.username} has a partner role and no partner`);
    return viewer.partnerId;
  }
  return null;
}

// The same callers as the API's: the operator suspends partners, finance resolves breaks and flags,
// a partner's admin accepts a rate version for its side (the API's partner signature stands for it).
const allowedRoles = {
  'partner.suspend': ['operator'],
  'partner.resume': ['operator'],
  'reconciliation_break.resolve': ['finance'],
  'rate_version.accept': ['partner_admin'],
  'finance_flag.read': ['operator', 'finance'],
  'finance_flag.resolve': ['finance'],
  'audit_log.read': ['operator'],
} as const satisfies Record<string, readonly ConsoleRole[]>;

export type ConsoleAction = keyof typeof allowedRoles;

export function may(viewer: ConsoleViewer, action: ConsoleAction): boolean {
  return (allowedRoles[action] as readonly ConsoleRole[]).includes(viewer.role);
}

export function requireAllowed(viewer: ConsoleViewer, action: ConsoleAction): void {
  if (!may(viewer, action)) {
    throw new ProblemError('forbidden', `A console ${viewer.role} may not do ${action}.`);
  }
}
