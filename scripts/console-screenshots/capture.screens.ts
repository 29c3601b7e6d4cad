// Run by `npm run screenshots` (scripts/console-screenshots.ts) through vitest, whose global setup
// brings the database and Temporal the seed needs: signs in to the console in Chromium as an
// operator and writes a PNG of each main page to docs/console/, one line per page as it goes.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { serveTestGateway } from '../../test/support/served-gateway.ts';
import { launchChromium } from '../lib/chromium.ts';
import { seedScreenshotAlliance } from './seed.ts';

const outputDir = path.resolve(import.meta.dirname, '../../docs/console');
const password = 'correct horse battery staple';

const browser = await launchChromium();
afterAll(() => browser.close());
process.stdout.write(
  'screenshots: seeding an alliance (transfers, catalog, a settlement cycle, a reconciliation)\n',
);
const { alliance, transferIds, cycleId, memberId } = await seedScreenshotAlliance();
const { url } = await serveTestGateway(alliance.gateway);

it('writes a PNG of each main page of the console', { timeout: 180_000 }, async () => {
  const { gateway } = alliance;
  const created = await gateway.call(gateway.operator, 'POST', '/v1/operator/console-users', {
    body: { username: 'screenshot-operator', role: 'operator', partnerId: null, password },
  });
  expect(created.status).toBe(201);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${url}/console/sign-in`);
  await page.getByLabel('Username').fill('screenshot-operator');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${url}/console`);

  const pages: [file: string, path: string][] = [
    ['activity', '/console'],
    ['alliance', '/console/alliance'],
    ['transfers', '/console/transfers'],
    ['transfer-timeline', `/console/transfers/${transferIds[0]}`],
    ['members', `/console/members?memberId=${memberId}`],
    ['settlement-cycle', `/console/settlement/${cycleId}`],
    ['reconciliation', '/console/reconciliation'],
    ['flows', '/console/flows'],
    ['liability', '/console/liability'],
    ['analytics', '/console/analytics'],
    ['catalog', '/console/catalog'],
  ];
  mkdirSync(outputDir, { recursive: true });
  for (const [index, [file, pagePath]] of pages.entries()) {
    const response = await page.goto(`${url}${pagePath}`);
    expect(response?.status(), pagePath).toBe(200);
    // A plot draws after its JSON arrives: wait for its canvas, and for ECharts' entry animation.
    const plots = page.locator('[data-chart]');
    if ((await plots.count()) > 0) {
      await page.locator('[data-chart] canvas').first().waitFor();
      await page.waitForTimeout(1_200);
    }
    const target = path.join(outputDir, `${file}.png`);
    await page.screenshot({ path: target });
    process.stdout.write(
      `screenshots: ${index + 1}/${pages.length} ${pagePath} -> docs/console/${file}.png\n`,
    );
  }
});
