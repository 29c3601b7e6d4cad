// A browser's part in the console tests: it keeps the cookies the console sets, fills forms with
// the CSRF token the page carries, and posts them as a browser would (urlencoded, same origin).
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { AlliancePartner } from '../support/alliance.ts';
import type { TestGateway } from '../support/gateway.ts';

export interface ConsoleBrowser {
  get(path: string): Promise<Response>;
  /** Posts a form; `csrf: null` leaves the token out, a string replaces it. */
  post(path: string, fields: Record<string, string>, options?: { csrf?: string | null }): Promise<Response>;
  cookies: Map<string, string>;
  /** The CSRF token the last page carried. */
  csrfToken(): string | null;
}

function cookiesFrom(response: Response): { name: string; value: string; attributes: string }[] {
  return response.headers.getSetCookie().map((line) => {
    const [pair = '', ...attributes] = line.split(';');
    const at = pair.indexOf('=');
    return { name: pair.slice(0, at).trim(), value: pair.slice(at + 1), attributes: attributes.join(';') };
  });
}

export function consoleBrowser(gateway: TestGateway): ConsoleBrowser {
  const cookies = new Map<string, string>();
  let lastToken: string | null = null;

  async function send(method: string, path: string, body?: string): Promise<Response> {
    const headers: Record<string, string> = { host: 'localhost' };
    if (cookies.size > 0) {
      headers.cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = 'http://localhost';
    }
    const response = await gateway.app.request(path, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    for (const cookie of cookiesFrom(response)) {
      if (/max-age=0/i.test(cookie.attributes) || cookie.value === '') cookies.delete(cookie.name);
      else cookies.set(cookie.name, cookie.value);
    }
    if (response.headers.get('content-type')?.startsWith('text/html')) {
      const text = await response.clone().text();
      lastToken = /name="csrf" value="([^"]+)"/.exec(text)?.[1] ?? lastToken;
    }
    return response;
  }

  return {
    cookies,
    csrfToken: () => lastToken,
    get: (path) => send('GET', path),
    post: (path, fields, options = {}) => {
      const csrf = options.csrf === undefined ? lastToken : options.csrf;
      const form = new URLSearchParams({ ...fields, ...(csrf === null ? {} : { csrf }) });
      return send('POST', path, form.toString());
    },
  };
}

/** Signs in through the sign-in page, as a person would; answers the sign-in POST's response. */
export async function signInAs(
  browser: ConsoleBrowser,
  username: string,
  password: string,
): Promise<Response> {
  await browser.get('/console/sign-in');
  return browser.post('/console/sign-in', { username, password, next: '/console' });
}

/** The console tests' users' password. */
export const consolePassword = 'correct horse battery staple';

/** A console user of this role (and partner) made by the operator, signed in in a browser of its own. */
export async function signedInAs(
  gateway: TestGateway,
  role: string,
  partner: AlliancePartner | null = null,
): Promise<{ browser: ConsoleBrowser; username: string }> {
  const username = `${role}-${randomUUID().slice(0, 8)}`;
  const created = await gateway.call(gateway.operator, 'POST', '/v1/operator/console-users', {
    body: { username, role, partnerId: partner?.partner.id ?? null, password: consolePassword },
  });
  expect(created.status).toBe(201);
  const browser = consoleBrowser(gateway);
  expect((await signInAs(browser, username, consolePassword)).status).toBe(303);
  return { browser, username };
}
