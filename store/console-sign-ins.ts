// Console sign-in attempts, kept in the database so that the throttle holds across processes.
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.ts';

export async function recordSignInAttempt(
  db: Kysely<Database>,
  input: { username: string; address: string; succeeded: boolean; at: Date },
): Promise<void> {
  await db.insertInto('console_sign_in_attempts').values(input).execute();
}

/**
 * Failed attempts since `since`: for the username, only those after its last successful sign-in
 * (a user who got in starts afresh); for the address, all of them (one address guessing many names).
 */
export async function countRecentFailures(
  db: Kysely<Database>,
  input: { username: string; address: string; since: Date },
): Promise<{ byUsername: number; byAddress: number }> {
  const lastSuccess = db
    .selectFrom('console_sign_in_attempts')
    .select((eb) => eb.fn.max('at').as('at'))
    .where('username', '=', input.username)
    .where('succeeded', '=', true);
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom('console_sign_in_attempts')
        .select((inner) => inner.fn.countAll<string>().as('n'))
        .where('username', '=', input.username)
        .where('succeeded', '=', false)
        .where('at', '>', input.since)
        .where('at', '>', sql<Date>`coalesce((${lastSuccess}), '-infinity')`)
        .as('byUsername'),
      eb
        .selectFrom('console_sign_in_attempts')
        .select((inner) => inner.fn.countAll<string>().as('n'))
        .where('address', '=', input.address)
        .where('succeeded', '=', false)
        .where('at', '>', input.since)
        .as('byAddress'),
    ])
    .executeTakeFirstOrThrow();
  return { byUsername: Number(row.byUsername ?? 0), byAddress: Number(row.byAddress ?? 0) };
}

/**
 * Holds the sign-ins of this address, then of this username, one at a time until the transaction
 * ends, so that parallel guesses are all counted against both limits (guesses at many usernames from
 * one address as well as at one username from many). Always in that order, so two never wait on
 * each other.
 */
export async function lockSignInsOf(db: Kysely<Database>, username: string, address: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`console-sign-in-address:${address}`}))`.execute(db);
  await sql`select pg_advisory_xact_lock(hashtext(${`console-sign-in:${username}`}))`.execute(db);
}
