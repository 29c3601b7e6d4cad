// The console through its own HTTP endpoints, as a browser uses them (cookies, forms, CSRF tokens):
// accounts made through the operator API, sign-in and its throttle, what a partner's user may see
// and do, the audit log, the plot's figures, and the API reference served without a CDN. Real
// PostgreSQL, Temporal and partner servers (a transfer moves for real).
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AlliancePartner, createAlliance } from '../support/alliance.ts';
import { consoleBrowser, signInAs } from './console-client.ts';

const alliance = await createAlliance();
const { gateway, coffee, airline, bookstore } = alliance;
const member = await alliance.member({ coffee: 10_000n });
const transferResponse = await alliance.transfer(coffee, airline, member, 1_000n);
const transfer = (await transferResponse.json()) as { id: string; status: string };

const password = 'correct horse battery staple';

async function createUser(
  role: string,
  partner: AlliancePartner | null = null,
  name = `${role}-${randomUUID().slice(0, 8)}`,
) {
  const response = await gateway.call(gateway.operator, 'POST', '/v1/operator/console-users', {
    body: { username: name, role, partnerId: partner?.partner.id ?? null, password },
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return name;
}

async function signedIn(role: string, partner: AlliancePartner | null = null) {
  const username = await createUser(role, partner);
  const browser = consoleBrowser(gateway);
  const response = await signInAs(browser, username, password);
  expect(response.status).toBe(303);
  return { browser, username };
}

async function auditOf(actor: string) {
  return gateway.db
    .selectFrom('console_audit_log')
    .select(['action', 'target', 'actor_role'])
    .where('actor', '=', actor)
    .orderBy('id')
    .execute();
}

async function partnerStatus(partner: AlliancePartner) {
  const response = await gateway.call(gateway.operator, 'GET', `/v1/operator/partners/${partner.partner.id}`);
  return ((await response.json()) as { status: string }).status;
}

describe('signing in', () => {
  it('gives a session cookie that is HttpOnly, Secure and SameSite, and opens the console', async () => {
    const username = await createUser('operator');
    const browser = consoleBrowser(gateway);
    const response = await signInAs(browser, username, password);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/console');
    const cookie = response.headers.getSetCookie().find((line) => line.startsWith('console_session='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\/console/);
    const home = await browser.get('/console');
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('Transfers per minute');
    expect(await auditOf(username)).toContainEqual({
      action: 'console.sign_in',
      target: null,
      actor_role: 'operator',
    });
  });

  it('sends a visitor without a session to the sign-in page, and refuses its forms', async () => {
    const browser = consoleBrowser(gateway);
    const page = await browser.get('/console/transfers');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/console/sign-in?next=%2Fconsole%2Ftransfers');
    const post = await browser.post(`/console/partners/${coffee.partner.id}/suspend`, {}, { csrf: 'x' });
    expect(post.status).toBe(401);
  });

  it('refuses a wrong password, and after five failures refuses even the right one', async () => {
    const username = await createUser('finance');
    const browser = consoleBrowser(gateway);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const refused = await signInAs(browser, username, 'not the password at all');
      expect(refused.status).toBe(401);
      expect(await refused.text()).toContain('Wrong username or password');
    }
    const throttled = await signInAs(browser, username, password);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('900');
    expect(browser.cookies.has('console_session')).toBe(false);
    const attempts = await gateway.db
      .selectFrom('console_sign_in_attempts')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('username', '=', username)
      .where('succeeded', '=', false)
      .executeTakeFirstOrThrow();
    expect(Number(attempts.n)).toBe(5);
    const audit = (await auditOf(username)).map((entry) => entry.action);
    expect(audit.filter((action) => action === 'console.sign_in_refused')).toHaveLength(5);
    expect(audit).toContain('console.sign_in_throttled');
  });

  it('refuses a sign-in form that did not come from the sign-in page', async () => {
    const username = await createUser('operator');
    const browser = consoleBrowser(gateway);
    const response = await browser.post('/console/sign-in', { username, password }, { csrf: 'forged' });
    expect(response.status).toBe(403);
    expect(browser.cookies.has('console_session')).toBe(false);
  });

  it('refuses a sign-in posted from elsewhere with an empty token, even without an Origin', async () => {
    // A cross-site POST carries no cookie (SameSite=Strict), so the token it is compared with is
    // empty too; a client that sends no Origin leaves the token as the only check.
    const username = await createUser('operator');
    const response = await gateway.app.request('/console/sign-in', {
      method: 'POST',
      headers: { host: 'localhost', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, password, csrf: '' }).toString(),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('set-cookie') ?? '').not.toContain('console_session=');
  });
});

describe('CSRF', () => {
  it('refuses a form without the session token, or with another', async () => {
    const { browser } = await signedIn('operator');
    await browser.get('/console/alliance');
    for (const csrf of [null, 'not-the-token']) {
      const response = await browser.post(`/console/partners/${bookstore.partner.id}/suspend`, {}, { csrf });
      expect(response.status).toBe(403);
    }
    expect(await partnerStatus(bookstore)).toBe('active');
  });
});

describe("a partner's user", () => {
  it("sees its partner's transfers, and not another partner's, even by URL", async () => {
    expect(transfer.status).toBe('completed');
    const coffeeViewer = await signedIn('partner_viewer', coffee);
    const own = await coffeeViewer.browser.get(`/console/transfers/${transfer.id}`);
    expect(own.status).toBe(200);
    const timeline = await own.text();
    expect(timeline).toContain('reserve');
    expect(timeline).toContain('credit');

    const bookstoreViewer = await signedIn('partner_viewer', bookstore);
    const other = await bookstoreViewer.browser.get(`/console/transfers/${transfer.id}`);
    expect(other.status).toBe(404);
    expect(await other.text()).not.toContain(member.accounts.coffee);
    const list = await (await bookstoreViewer.browser.get('/console/transfers')).text();
    expect(list).not.toContain(transfer.id);
    const alliancePage = await (await bookstoreViewer.browser.get('/console/alliance')).text();
    expect(alliancePage).not.toContain(coffee.partner.id);
  });

  it('cannot suspend a partner, not even its own', async () => {
    const { browser, username } = await signedIn('partner_admin', coffee);
    const confirmation = await browser.get(`/console/partners/${coffee.partner.id}/suspend`);
    expect(confirmation.status).toBe(403);
    await browser.get('/console/alliance');
    const response = await browser.post(`/console/partners/${coffee.partner.id}/suspend`, {});
    expect(response.status).toBe(403);
    expect(await partnerStatus(coffee)).toBe('active');
    expect((await auditOf(username)).map((entry) => entry.action)).not.toContain('partner.suspend');
    expect((await browser.get('/console/audit')).status).toBe(403);
  });
});

describe('the operator', () => {
  it('sees every transfer, with its timeline', async () => {
    const { browser } = await signedIn('operator');
    const list = await (await browser.get('/console/transfers?state=completed')).text();
    expect(list).toContain(transfer.id);
    expect((await browser.get(`/console/transfers/${transfer.id}`)).status).toBe(200);
  });

  it('suspends and resumes a partner after a confirmation, and the audit log records both', async () => {
    const { browser, username } = await signedIn('operator');
    const airlineUser = await signedIn('partner_admin', airline);
    expect((await airlineUser.browser.get('/console/transfers')).status).toBe(200);
    const confirmation = await browser.get(`/console/partners/${airline.partner.id}/suspend`);
    expect(confirmation.status).toBe(200);
    expect(await confirmation.text()).toContain('Suspend Airline');
    const suspended = await browser.post(`/console/partners/${airline.partner.id}/suspend`, {});
    expect(suspended.status).toBe(303);
    expect(await partnerStatus(airline)).toBe('suspended');
    // The gateway refuses the suspended partner's signed requests at once (its cached status dropped).
    expect((await gateway.call(airline.signer, 'GET', '/v1/transfers')).status).toBe(401);
    // So are its console users, who stand for its signature: the session ends, and sign-in is refused.
    expect((await airlineUser.browser.get('/console/transfers')).status).toBe(303);
    expect((await signInAs(consoleBrowser(gateway), airlineUser.username, password)).status).not.toBe(303);

    await browser.get(`/console/partners/${airline.partner.id}/resume`);
    expect((await browser.post(`/console/partners/${airline.partner.id}/resume`, {})).status).toBe(303);
    expect(await partnerStatus(airline)).toBe('active');
    // The sessions were ended, not hidden: resuming signs no one back in; signing in again works.
    expect((await airlineUser.browser.get('/console/transfers')).status).toBe(303);
    expect((await signInAs(consoleBrowser(gateway), airlineUser.username, password)).status).toBe(303);

    expect(await auditOf(username)).toEqual([
      { action: 'console.sign_in', target: null, actor_role: 'operator' },
      { action: 'partner.suspend', target: airline.partner.id, actor_role: 'operator' },
      { action: 'partner.resume', target: airline.partner.id, actor_role: 'operator' },
    ]);
    const auditPage = await (await browser.get('/console/audit')).text();
    expect(auditPage).toContain('partner.suspend');
  });
});

describe('the transfers plot', () => {
  it('counts the transfer in its minute, as completed', async () => {
    const { browser } = await signedIn('partner_viewer', coffee);
    const response = await browser.get('/console/activity.json?hours=1');
    const activity = (await response.json()) as {
      minutes: number[];
      series: { outcome: string; counts: number[] }[];
    };
    expect(activity.minutes).toHaveLength(60);
    const completed = activity.series.find((line) => line.outcome === 'completed');
    expect(completed?.counts.reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(1);
    const script = await browser.get('/console/assets/uPlot.iife.min.js');
    expect(script.status).toBe(200);
    expect(await script.text()).toContain('uPlot');
  });
});

describe('console users', () => {
  it('are created by the operator only, a partner role with its partner', async () => {
    const noPartner = await gateway.call(gateway.operator, 'POST', '/v1/operator/console-users', {
      body: { username: `viewer-${randomUUID().slice(0, 8)}`, role: 'partner_viewer', password },
    });
    expect(noPartner.status).toBe(400);
    const byPartner = await gateway.call(coffee.signer, 'POST', '/v1/operator/console-users', {
      body: { username: `x-${randomUUID().slice(0, 8)}`, role: 'operator', password },
    });
    expect(byPartner.status).toBe(403);
    const name = await createUser('finance');
    const again = await gateway.call(gateway.operator, 'POST', '/v1/operator/console-users', {
      body: { username: name.toUpperCase(), role: 'finance', password },
    });
    expect(again.status).toBe(400);
    const stored = await gateway.db
      .selectFrom('console_users')
      .select('password_hash')
      .where('username', '=', name)
      .executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^\$argon2id\$/);
  });
});

describe('the API reference', () => {
  it('loads its renderer from the gateway, not a CDN', async () => {
    const page = await gateway.app.request('/reference');
    const text = await page.text();
    expect(text).toContain('/reference/scalar.js');
    expect(text).not.toMatch(/cdn\.jsdelivr|https:\/\//);
    const script = await gateway.app.request('/reference/scalar.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
  });
});
