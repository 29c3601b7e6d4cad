// The console's audit log: who did what, when, from where. Rows are only ever added.
import type { Kysely, Selectable } from 'kysely';
import type { ConsoleAuditLogTable, Database } from './database.ts';

export type AuditEntry = Selectable<ConsoleAuditLogTable>;

export interface NewAuditEntry {
  actor: string;
  actorRole: string;
  partnerId: string | null;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
  address: string | null;
  at: Date;
}

export async function insertAuditEntry(db: Kysely<Database>, entry: NewAuditEntry): Promise<void> {
  await db
    .insertInto('console_audit_log')
    .values({
      actor: entry.actor,
      actor_role: entry.actorRole,
      partner_id: entry.partnerId,
      action: entry.action,
      target: entry.target,
      detail: JSON.stringify(entry.detail),
      address: entry.address,
      at: entry.at,
    })
    .execute();
}

/** Newest first; `actor` narrows to one user's entries. */
export async function listAuditEntries(
  db: Kysely<Database>,
  input: { actor: string | null; limit: number },
): Promise<AuditEntry[]> {
  let query = db.selectFrom('console_audit_log').selectAll().orderBy('id', 'desc').limit(input.limit);
  if (input.actor) query = query.where('actor', '=', input.actor);
  return query.execute();
}
