// The console's users and their sessions as stored. A session is found by the digest of its token.
import type { Kysely, Selectable } from 'kysely';
import type { ConsoleRole, ConsoleSessionsTable, ConsoleUsersTable, Database } from './database.ts';

export type ConsoleUser = Selectable<ConsoleUsersTable>;
export type ConsoleSession = Selectable<ConsoleSessionsTable>;

/** The new user, or undefined when the username is taken. */
export async function insertConsoleUser(
  db: Kysely<Database>,
  input: {
    username: string;
    role: ConsoleRole;
    partnerId: string | null;
    passwordHash: string;
    createdBy: string;
  },
): Promise<ConsoleUser | undefined> {
  return db
    .insertInto('console_users')
    .values({
      username: input.username,
      role: input.role,
      partner_id: input.partnerId,
      password_hash: input.passwordHash,
      created_by: input.createdBy,
    })
    .onConflict((conflict) => conflict.column('username').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function findConsoleUserByName(
  db: Kysely<Database>,
  username: string,
): Promise<ConsoleUser | undefined> {
  return db.selectFrom('console_users').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function listConsoleUsers(db: Kysely<Database>): Promise<ConsoleUser[]> {
  return db.selectFrom('console_users').selectAll().orderBy('id').execute();
}

export async function insertConsoleSession(
  db: Kysely<Database>,
  input: { tokenSha256: string; userId: bigint; csrfToken: string; address: string; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('console_sessions')
    .values({
      token_sha256: input.tokenSha256,
      user_id: input.userId,
      csrf_token: input.csrfToken,
      address: input.address,
      expires_at: input.expiresAt,
    })
    .execute();
}

/**
 * A live session and its user: not expired, the user not disabled, and a partner's user's partner
 * still active (a suspended partner's console users stand for its signature, refused too).
 */
export async function findLiveSession(
  db: Kysely<Database>,
  tokenSha256: string,
  now: Date,
): Promise<{ session: ConsoleSession; user: ConsoleUser } | undefined> {
  const row = await db
    .selectFrom('console_sessions as s')
    .innerJoin('console_users as u', 'u.id', 's.user_id')
    .selectAll('u')
    .select([
      's.token_sha256',
      's.csrf_token',
      's.address',
      's.created_at as session_created_at',
      's.expires_at',
    ])
    .where('s.token_sha256', '=', tokenSha256)
    .where('s.expires_at', '>', now)
    .where('u.disabled_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb('u.partner_id', 'is', null),
        eb.exists(
          eb
            .selectFrom('partners as p')
            .whereRef('p.id', '=', 'u.partner_id')
            .where('p.status', '=', 'active')
            .select('p.id'),
        ),
      ]),
    )
    .executeTakeFirst();
  if (!row) return undefined;
  const { token_sha256, csrf_token, address, session_created_at, expires_at, ...user } = row;
  return {
    session: {
      token_sha256,
      user_id: user.id,
      csrf_token,
      address,
      created_at: session_created_at,
      expires_at,
    },
    user,
  };
}

/** Ends every console session of a partner's users (its suspension: a resume signs no one back in). */
export async function deletePartnerConsoleSessions(db: Kysely<Database>, partnerId: string): Promise<void> {
  await db
    .deleteFrom('console_sessions')
    .where('user_id', 'in', (eb) =>
      eb.selectFrom('console_users').select('id').where('partner_id', '=', partnerId),
    )
    .execute();
}

export async function deleteConsoleSession(db: Kysely<Database>, tokenSha256: string): Promise<void> {
  await db.deleteFrom('console_sessions').where('token_sha256', '=', tokenSha256).execute();
}
