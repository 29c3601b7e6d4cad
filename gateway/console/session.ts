// Console sessions: an HttpOnly cookie carries a random token (the database keeps its digest), and
// every POST carries the session's CSRF token in a form field, compared in constant time. A form
// posted from another site has the cookie (SameSite=Lax lets top-level navigations through) but
// cannot read the token, so it is refused.
import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { ProblemError } from '../../domain/errors.ts';
import { resolveSession } from '../../services/console-accounts.ts';
import type { ServiceContext } from '../../services/context.ts';
import { textPattern } from '../schemas/common.ts';
import type { ConsoleContext, ConsoleEnv, ConsoleOptions } from './console-env.ts';

export const sessionCookie = 'console_session';

export function setSessionCookie(c: ConsoleContext, options: ConsoleOptions, token: string, hours: number) {
  setCookie(c, sessionCookie, token, {
    path: '/console',
    httpOnly: true,
    secure: options.secureCookies,
    sameSite: 'Lax',
    maxAge: hours * 3600,
  });
}

export function clearSessionCookie(c: ConsoleContext, options: ConsoleOptions) {
  deleteCookie(c, sessionCookie, { path: '/console', secure: options.secureCookies });
}

export function sameToken(given: string | undefined, expected: string): boolean {
  // An empty token proves nothing: a cross-site sign-in POST carries no cookie, so the expected
  // token is empty too, and two empty strings compare equal.
  if (given === undefined || given === '' || expected === '') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A POST's urlencoded fields; anything else is refused (the console posts nothing else). */
export async function readForm(c: ConsoleContext): Promise<Record<string, string>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
    throw new ProblemError('unsupported_media_type', 'The console takes forms only.');
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(await c.req.text())) {
    // The API's rule for every string it takes: no control characters (NUL cannot be stored).
    if (!textPattern.test(value)) {
      throw new ProblemError('validation_failed', `The field ${name} holds control characters.`, [
        { field: name, message: 'must not contain control characters or unpaired surrogates' },
      ]);
    }
    fields[name] = value;
  }
  return fields;
}

/** Another site's page posting here: its Origin names another host (browsers send Origin on POSTs). */
export function crossOrigin(c: ConsoleContext): boolean {
  const origin = c.req.header('origin');
  if (!origin || origin === 'null') return origin === 'null';
  try {
    return new URL(origin).host !== c.req.header('host');
  } catch {
    return true;
  }
}

/**
 * Signed-in pages: a GET without a live session goes to the sign-in page; a POST must carry the
 * session's CSRF token as the form field `csrf`, and must not come from another origin.
 */
export function requireSession(context: ServiceContext): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const token = getCookie(c, sessionCookie);
    const session = token ? await resolveSession(context, token, new Date()) : null;
    if (!token || !session) {
      if (c.req.method === 'GET' || c.req.method === 'HEAD') {
        const back = c.req.path + (new URL(c.req.url).search ?? '');
        return c.redirect(`/console/sign-in?next=${encodeURIComponent(back)}`, 303);
      }
      throw new ProblemError('signature_missing', 'Sign in to the console first.');
    }
    c.set('viewer', session.viewer);
    c.set('csrfToken', session.csrfToken);
    c.set('sessionToken', token);
    if (c.req.method === 'POST') {
      const form = await readForm(c);
      if (crossOrigin(c) || !sameToken(form.csrf, session.csrfToken)) {
        throw new ProblemError(
          'forbidden',
          'This form did not come from your console session; reload the page.',
        );
      }
      c.set('form', form);
    }
    await next();
  };
}
