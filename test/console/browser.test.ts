// The console in a real headless Chromium (Debian's, driven by playwright-core), as people use it:
// typing into the sign-in form and clicking through the navigation, the Sankey drawn on its canvas
// from JSON that holds this test's transfers, a transfer's timeline opened from the list, the list
// filtered by partner, member and day, a partner's user refused another partner's transfer, a form
// whose CSRF token was taken out refused, and a wrong password throttled. A database of the file's own: its flows are exactly this test's, and
// its sign-in failures (all from 127.0.0.1) throttle no other run.
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium.ts';
import { defaultSignInPolicy } from '../../services/console-accounts.ts';
import { type AlliancePartner, createAlliance } from '../support/alliance.ts';
import { serveTestGateway } from '../support/served-gateway.ts';

// First, so that a machine without Chromium fails here with the way to install it.
const browser: Browser = await launchChromium();
afterAll(() => browser.close());

const alliance = await createAlliance({ ownDatabase: 'browser' });
const { gateway, coffee, airline, bookstore } = alliance;
const { url } = await serveTestGateway(gateway);
const member = await alliance.member({ coffee: 10_000n, airline: 3_000n });
const transfers: { id: string; from: AlliancePartner; to: AlliancePartner }[] = [];
for (const [from, to] of [
  [coffee, airline],
  [airline, bookstore],
] as const) {
  const response = await alliance.transfer(from, to, member, 1_000n);
  const transfer = (await response.json()) as { id: string; status: string };
  expect(transfer.status).toBe('completed');
  transfers.push({ id: transfer.id, from, to });
}
const [coffeeToAirline] = transfers;
if (!coffeeToAirline) throw new Error('no transfer');

const password = 'correct horse battery staple';

async function createUser(role: string, partner: AlliancePartner | null = null): Promise<string> {
  const username = `${role.replace('_', '-')}-${randomUUID().slice(0, 8)}`;
  const response = await gateway.call(gateway.operator, 'POST', '/v1/operator/console-users', {
    body: { username, role, partnerId: partner?.partner.id ?? null, password },
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return username;
}

/** A fresh browser context (no cookies) on the sign-in page, the form filled and sent by a click. */
async function signIn(username: string, secret = password, page?: Page): Promise<Page> {
  const tab = page ?? (await (await browser.newContext()).newPage());
  if (!page) await tab.goto(`${url}/console`);
  await tab.getByLabel('Username').fill(username);
  await tab.getByLabel('Password').fill(secret);
  await tab.getByRole('button', { name: 'Sign in' }).click();
  await tab.waitForLoadState();
  return tab;
}

async function partnerStatus(partner: AlliancePartner): Promise<string> {
  const response = await gateway.call(gateway.operator, 'GET', `/v1/operator/partners/${partner.partner.id}`);
  return ((await response.json()) as { status: string }).status;
}

describe('the console in Chromium', () => {
  it('signs in, draws the flows between brands with the transfers in them, and opens a timeline', async () => {
    const page = await signIn(await createUser('operator'));
    expect(new URL(page.url()).pathname).toBe('/console');
    await expect.poll(() => page.getByText('Transfers per minute').count()).toBeGreaterThan(0);

    const flowsJson = page.waitForResponse((response) => response.url().includes('/console/flows.json'));
    await page.getByRole('link', { name: 'Flows', exact: true }).click();
    const flows = (await (await flowsJson).json()) as {
      links: { sourceProgramId: string; targetProgramId: string; sourcePoints: string; transfers: number }[];
    };
    expect(flows.links).toEqual(
      transfers.map(({ from, to }) =>
        expect.objectContaining({
          sourceProgramId: from.programId,
          targetProgramId: to.programId,
          sourcePoints: '1000',
          transfers: 1,
        }),
      ),
    );
    // ECharts drew the Sankey: a canvas inside the plot, with pixels on it.
    const canvas = page.locator('[data-chart="sankey"] canvas');
    await canvas.waitFor();
    const inked = await canvas.evaluate((element) => {
      // The tests compile without the DOM's types: the canvas's little that is read here.
      const drawn = element as unknown as {
        width: number;
        height: number;
        getContext(kind: '2d'): { getImageData(...box: number[]): { data: ArrayLike<number> } } | null;
      };
      const pixels = drawn.getContext('2d')?.getImageData(0, 0, drawn.width, drawn.height).data ?? [];
      let coloured = 0;
      for (let index = 3; index < pixels.length; index += 4) if ((pixels[index] ?? 0) > 0) coloured += 1;
      return coloured;
    });
    expect(inked).toBeGreaterThan(1_000);

    await page.getByRole('link', { name: 'Transfers', exact: true }).click();
    await page.getByRole('link', { name: coffeeToAirline.id }).click();
    await page.waitForURL(`**/console/transfers/${coffeeToAirline.id}`);
    const timeline = page.locator('ol.timeline li');
    await expect.poll(() => timeline.count()).toBeGreaterThanOrEqual(3);
    const steps = await timeline.locator('strong').allTextContents();
    expect(steps).toEqual(expect.arrayContaining(['reserve', 'credit', 'post']));
    expect(await page.locator('dd.status-completed').count()).toBe(1);
  });

  it('filters the transfers by partner, member and creation day', async () => {
    const page = await signIn(await createUser('operator'));
    await page.getByRole('link', { name: 'Transfers', exact: true }).click();
    const listed = () => page.locator('table a code').allTextContents();
    const field = {
      partner: 'form.filter select[name="partner"]',
      member: 'form.filter input[name="member"]',
      from: 'form.filter input[name="from"]',
      to: 'form.filter input[name="to"]',
    };
    const filter = async () => {
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.waitForLoadState();
    };
    expect(new Set(await listed())).toEqual(new Set(transfers.map((transfer) => transfer.id)));

    await page.locator(field.partner).selectOption({ label: 'Coffee' });
    await filter();
    expect(await listed()).toEqual([coffeeToAirline.id]);
    await page.locator(field.partner).selectOption({ label: 'Bookstore' });
    await filter();
    expect(await listed()).toEqual([transfers[1]?.id]);

    await page.locator(field.partner).selectOption({ label: 'any' });
    await page.locator(field.member).fill(member.memberId);
    await filter();
    expect(await listed()).toHaveLength(2);
    const stranger = await alliance.member({ coffee: 10n });
    await page.locator(field.member).fill(stranger.memberId);
    await filter();
    expect(await listed()).toEqual([]);

    await page.locator(field.member).fill('');
    const today = new Date().toISOString().slice(0, 10);
    await page.locator(field.from).fill(today);
    await page.locator(field.to).fill(today);
    await filter();
    expect(await listed()).toHaveLength(2);
    await page.locator(field.from).fill('2020-01-01');
    await page.locator(field.to).fill('2020-01-31');
    await filter();
    expect(await listed()).toEqual([]);
    expect(new URL(page.url()).searchParams.get('to')).toBe('2020-01-31');
  });

  it("refuses a partner's user another partner's transfer", async () => {
    const page = await signIn(await createUser('partner_viewer', bookstore));
    await page.getByRole('link', { name: 'Transfers', exact: true }).click();
    // The bookstore sees the transfer it received, not the one between coffee and airline.
    const listed = await page.locator('table a code').allTextContents();
    expect(listed).toEqual([transfers[1]?.id]);
    const response = await page.goto(`${url}/console/transfers/${coffeeToAirline.id}`);
    expect(response?.status()).toBe(404);
    expect(await page.locator('p.refusal').count()).toBe(1);
    expect(await page.content()).not.toContain(member.accounts.coffee);
  });

  it('refuses a form whose CSRF token was taken out, and a post without one', async () => {
    const page = await signIn(await createUser('operator'));
    await page.getByRole('link', { name: 'Alliance', exact: true }).click();
    await page.locator(`a[href="/console/partners/${coffee.partner.id}/suspend"]`).click();
    await page.locator('form input[name="csrf"]').evaluateAll((inputs) => {
      for (const input of inputs) input.remove();
    });
    const refused = page.waitForResponse((response) => response.request().method() === 'POST');
    await page.getByRole('button', { name: 'Suspend Coffee' }).click();
    expect((await refused).status()).toBe(403);
    expect(await partnerStatus(coffee)).toBe('active');

    // The page's own origin and cookies, posting as another site's script would: no token.
    const status = await page.evaluate(
      async (path) => (await fetch(path, { method: 'POST', body: new URLSearchParams({}) })).status,
      `/console/partners/${coffee.partner.id}/suspend`,
    );
    expect(status).toBe(403);
    expect(await partnerStatus(coffee)).toBe('active');
  });

  it('throttles a wrong password after the configured attempts, even when the right one follows', async () => {
    const username = await createUser('finance');
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${url}/console/sign-in`);
    for (let attempt = 0; attempt < defaultSignInPolicy.failuresPerUsername; attempt += 1) {
      const answer = page.waitForResponse((response) => response.request().method() === 'POST');
      await signIn(username, 'not the password at all', page);
      expect((await answer).status()).toBe(401);
      expect(await page.getByText('Wrong username or password').count()).toBe(1);
    }
    const answer = page.waitForResponse((response) => response.request().method() === 'POST');
    await signIn(username, password, page);
    expect((await answer).status()).toBe(429);
    expect(await page.getByText('Too many failed sign-ins').count()).toBe(1);
    const cookies = await page.context().cookies();
    expect(cookies.map((cookie) => cookie.name)).not.toContain('console_session');
  });
});
