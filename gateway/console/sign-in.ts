// Signing in and out. The sign-in form has a CSRF token of its own before there is a session: a
// random value in a short-lived cookie and in the form, which another site can neither read nor set
// (so it cannot sign a browser in to an account of its choosing).
import { randomBytes } from 'node:crypto';
import type { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { ProblemError } from '../../domain/errors.ts';
import { defaultSignInPolicy, type SignInPolicy, signIn, signOut } from '../../services/console-accounts.ts';
import type { ServiceContext } from '../../services/context.ts';
import { type ConsoleContext, type ConsoleEnv, type ConsoleOptions, clientAddress } from './console-env.ts';
import { type Html, page } from './layout.ts';
import { clearSessionCookie, crossOrigin, readForm, sameToken, setSessionCookie } from './session.ts';

const formCookie = 'console_sign_in';

/** Where to go after signing in: a console path only, never another site. */
function safeNext(next: string | undefined): string {
  return next && /^\/console(\/[^/\\]|$|\?)/.test(next) && !next.includes('//') ? next : '/console';
}

function signInForm(c: ConsoleContext, options: ConsoleOptions, next: string, message: Html | null): Html {
  const token = randomBytes(24).toString('base64url');
  setCookie(c, formCookie, token, {
    path: '/console/sign-in',
    httpOnly: true,
    secure: options.secureCookies,
    sameSite: 'Strict',
    maxAge: 3600,
  });
  return page(
    { title: 'Sign in', viewer: null, csrfToken: null },
    html`${message ? html`<p class="refusal">${message}</p>` : ''}
      <form method="post" action="/console/sign-in" class="sign-in">
        <input type="hidden" name="csrf" value="${token}" />
        <input type="hidden" name="next" value="${next}" />
        <label>Username <input name="username" autocomplete="username" required /></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
        <button type="submit">Sign in</button>
      </form>`,
  );
}

export function registerSignIn(
  app: Hono<ConsoleEnv>,
  context: ServiceContext,
  options: ConsoleOptions,
  policy: SignInPolicy = defaultSignInPolicy,
): void {
  app.get('/sign-in', (c) => c.html(signInForm(c, options, safeNext(c.req.query('next')), null)));

  app.post('/sign-in', async (c) => {
    const form = await readForm(c);
    if (crossOrigin(c) || !sameToken(form.csrf, getCookie(c, formCookie) ?? '')) {
      throw new ProblemError(
        'forbidden',
        'This sign-in form did not come from this console; reload the page.',
      );
    }
    const next = safeNext(form.next);
    const result = await signIn(context, {
      username: form.username ?? '',
      password: form.password ?? '',
      address: clientAddress(c),
      now: new Date(),
      policy,
    });
    if (result.outcome === 'throttled') {
      const message = html`Too many failed sign-ins for this user or from this address. Try again in ${policy.windowMinutes} minutes.`;
      return c.html(signInForm(c, options, next, message), 429, {
        'Retry-After': String(policy.windowMinutes * 60),
      });
    }
    if (result.outcome === 'refused') {
      return c.html(signInForm(c, options, next, html`Wrong username or password.`), 401);
    }
    deleteCookie(c, formCookie, { path: '/console/sign-in', secure: options.secureCookies });
    setSessionCookie(c, options, result.token, policy.sessionHours);
    return c.redirect(next, 303);
  });

  app.post('/sign-out', async (c) => {
    await signOut(context, {
      token: c.var.sessionToken,
      viewer: c.var.viewer,
      address: clientAddress(c),
      now: new Date(),
    });
    clearSessionCookie(c, options);
    return c.redirect('/console/sign-in', 303);
  });
}
