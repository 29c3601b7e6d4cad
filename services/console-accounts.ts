// Console accounts: the operator creates users with a role; a user signs in with a password
// (argon2id, through the `argon2` package: memory-hard, salted per hash, parameters kept in the
// hash itself) and gets a session. Sign-ins are throttled per username and per address on what
// the database recorded, so a second gateway process does not reset the count.
import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { ProblemError } from '../domain/errors.ts';
import { countRecentFailures, lockSignInsOf, recordSignInAttempt } from '../store/console-sign-ins.ts';
import {
  type ConsoleUser,
  deleteConsoleSession,
  findConsoleUserByName,
  findLiveSession,
  insertConsoleSession,
  insertConsoleUser,
  listConsoleUsers,
} from '../store/console-users.ts';
import type { ConsoleRole } from '../store/database.ts';
import { findPartner } from '../store/partners.ts';
import { inTransaction } from '../store/transaction.ts';
import { type ConsoleViewer, isPartnerRole } from './console-access.ts';
import { recordAudit } from './console-audit.ts';
import type { ServiceContext } from './context.ts';

export interface SignInPolicy {
  /** Failed attempts for one username, since its last success, within the window, before it is refused. */
  failuresPerUsername: number;
  /** Failed attempts from one address within the window, whatever the usernames. */
  failuresPerAddress: number;
  windowMinutes: number;
  sessionHours: number;
}

export const defaultSignInPolicy: SignInPolicy = {
  failuresPerUsername: 5,
  failuresPerAddress: 20,
  windowMinutes: 15,
  sessionHours: 8,
};

export const passwordLengthMin = 12;
const usernamePattern = /^[a-z0-9][a-z0-9._@-]{2,63}$/;

export const viewerOf = (user: ConsoleUser): ConsoleViewer => ({
  username: user.username,
  role: user.role,
  partnerId: user.partner_id,
});

/** The operator (through its signed API) creates a user; a partner role names an existing partner. */
export async function createConsoleUser(
  context: ServiceContext,
  input: {
    username: string;
    role: ConsoleRole;
    partnerId: string | null;
    password: string;
    createdBy: string;
    now: Date;
  },
): Promise<ConsoleUser> {
  const username = input.username.toLowerCase();
  if (!usernamePattern.test(username)) {
    throw new ProblemError('validation_failed', 'The username is not usable.', [
      { field: 'username', message: '3–64 of a-z, 0-9 and . _ @ -, starting with a letter or digit' },
    ]);
  }
  if (isPartnerRole(input.role) !== (input.partnerId !== null)) {
    throw new ProblemError('validation_failed', 'A partner role names its partner; no other role does.', [
      {
        field: 'partnerId',
        message: isPartnerRole(input.role) ? 'required for this role' : 'only for partner roles',
      },
    ]);
  }
  if (input.partnerId && !(await findPartner(context.db, input.partnerId))) {
    throw new ProblemError('not_found', `partner ${input.partnerId} does not exist`);
  }
  const passwordHash = await argon2.hash(input.password, { type: argon2.argon2id });
  return inTransaction(context.db, async (trx) => {
    const user = await insertConsoleUser(trx, { ...input, username, passwordHash });
    if (!user) {
      throw new ProblemError('validation_failed', `A console user ${username} exists already.`, [
        { field: 'username', message: 'is taken' },
      ]);
    }
    await recordAudit(
      trx,
      { username: input.createdBy, role: 'operator', partnerId: null },
      {
        action: 'console_user.create',
        target: username,
        detail: { role: user.role, partnerId: user.partner_id },
        address: null,
        now: input.now,
      },
    );
    return user;
  });
}

export const readConsoleUsers = (context: ServiceContext) => listConsoleUsers(context.db);

export type SignInResult =
  | { outcome: 'signed_in'; token: string; viewer: ConsoleViewer }
  | { outcome: 'refused' }
  | { outcome: 'throttled' };

// Verified against when the username is unknown, so a refusal takes as long either way.
const decoyHash = argon2.hash(randomBytes(16).toString('hex'), { type: argon2.argon2id });

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export async function signIn(
  context: ServiceContext,
  input: { username: string; password: string; address: string; now: Date; policy?: SignInPolicy },
): Promise<SignInResult> {
  const policy = input.policy ?? defaultSignInPolicy;
  const username = input.username.toLowerCase().slice(0, 200);
  return inTransaction(context.db, async (trx) => {
    await lockSignInsOf(trx, username, input.address);
    const failures = await countRecentFailures(trx, {
      username,
      address: input.address,
      since: new Date(input.now.getTime() - policy.windowMinutes * 60_000),
    });
    const someone = { username, role: 'unknown', partnerId: null } as const;
    if (
      failures.byUsername >= policy.failuresPerUsername ||
      failures.byAddress >= policy.failuresPerAddress
    ) {
      // Not counted as a failure: a throttled user is let in again once the window has passed.
      await recordAudit(trx, someone, {
        action: 'console.sign_in_throttled',
        target: username,
        address: input.address,
        now: input.now,
      });
      return { outcome: 'throttled' as const };
    }
    const user = await findConsoleUserByName(trx, username);
    // A suspended partner's users sign in no more, as its signature is refused.
    const partner = user?.partner_id ? await findPartner(trx, user.partner_id) : undefined;
    const usable =
      user && user.disabled_at === null && (!user.partner_id || partner?.partner.status === 'active');
    const verified = await argon2.verify(usable ? user.password_hash : await decoyHash, input.password);
    await recordSignInAttempt(trx, {
      username,
      address: input.address,
      succeeded: Boolean(usable && verified),
      at: input.now,
    });
    if (!usable || !verified) {
      await recordAudit(trx, someone, {
        action: 'console.sign_in_refused',
        target: username,
        address: input.address,
        now: input.now,
      });
      return { outcome: 'refused' as const };
    }
    const token = randomBytes(32).toString('base64url');
    await insertConsoleSession(trx, {
      tokenSha256: sha256(token),
      userId: user.id,
      csrfToken: randomBytes(32).toString('base64url'),
      address: input.address,
      expiresAt: new Date(input.now.getTime() + policy.sessionHours * 3_600_000),
    });
    const viewer = viewerOf(user);
    await recordAudit(trx, viewer, {
      action: 'console.sign_in',
      target: null,
      address: input.address,
      now: input.now,
    });
    return { outcome: 'signed_in' as const, token, viewer };
  });
}

/** The viewer of a session cookie's token and the session's CSRF token, or null when it is not live. */
export async function resolveSession(
  context: ServiceContext,
  token: string,
  now: Date,
): Promise<{ viewer: ConsoleViewer; csrfToken: string } | null> {
  const found = await findLiveSession(context.db, sha256(token), now);
  return found ? { viewer: viewerOf(found.user), csrfToken: found.session.csrf_token } : null;
}

export async function signOut(
  context: ServiceContext,
  input: { token: string; viewer: ConsoleViewer; address: string; now: Date },
): Promise<void> {
  await inTransaction(context.db, async (trx) => {
    await deleteConsoleSession(trx, sha256(input.token));
    await recordAudit(trx, input.viewer, {
      action: 'console.sign_out',
      target: null,
      address: input.address,
      now: input.now,
    });
  });
}
