// The console's audit log: every sign-in (and refusal) and every write, with who, from where and
// when. A write's entry is written in the write's own transaction, so neither exists without the other.
import type { Kysely } from 'kysely';
import { type AuditEntry, insertAuditEntry, listAuditEntries } from '../store/console-audit.ts';
import type { Database } from '../store/database.ts';
import type { ConsoleViewer } from './console-access.ts';
import type { ServiceContext } from './context.ts';

export interface AuditedAct {
  action: string;
  target: string | null;
  detail?: Record<string, unknown>;
  address: string | null;
  now: Date;
}

/** A console user, `operator` for the signed API, or the username a refused sign-in gave (role `unknown`). */
export type AuditActor = Pick<ConsoleViewer, 'username' | 'partnerId'> & { role: string };

export function recordAudit(db: Kysely<Database>, actor: AuditActor, act: AuditedAct): Promise<void> {
  return insertAuditEntry(db, {
    actor: actor.username,
    actorRole: actor.role,
    partnerId: actor.partnerId,
    action: act.action,
    target: act.target,
    detail: act.detail ?? {},
    address: act.address,
    at: act.now,
  });
}

export function readAuditLog(
  context: ServiceContext,
  input: { actor: string | null; limit: number },
): Promise<AuditEntry[]> {
  return listAuditEntries(context.db, input);
}
