// The web console's tables: its users, their sessions, sign-in attempts and the audit log.
import type { ColumnType } from 'kysely';
import type { Immutable, ImmutableTimestamp, Serial } from './columns.ts';

export type ConsoleRole = 'operator' | 'finance' | 'partner_admin' | 'partner_viewer';

export interface ConsoleUsersTable {
  id: Serial;
  username: Immutable<string>;
  role: Immutable<ConsoleRole>;
  partner_id: Immutable<string | null>;
  password_hash: string;
  created_by: Immutable<string>;
  created_at: ImmutableTimestamp;
  disabled_at: Date | null;
}

export interface ConsoleSessionsTable {
  /** SHA-256 of the cookie's token, hex: the token itself is never stored. */
  token_sha256: Immutable<string>;
  user_id: Immutable<bigint>;
  csrf_token: Immutable<string>;
  address: Immutable<string | null>;
  created_at: ImmutableTimestamp;
  expires_at: Date;
}

export interface ConsoleSignInAttemptsTable {
  id: Serial;
  username: Immutable<string>;
  address: Immutable<string>;
  succeeded: Immutable<boolean>;
  at: ImmutableTimestamp;
}

/** Never changed nor deleted. */
export interface ConsoleAuditLogTable {
  id: Serial;
  at: ImmutableTimestamp;
  actor: Immutable<string>;
  actor_role: Immutable<string>;
  partner_id: Immutable<string | null>;
  action: Immutable<string>;
  target: Immutable<string | null>;
  detail: ColumnType<unknown, string | undefined, never>;
  address: Immutable<string | null>;
}
