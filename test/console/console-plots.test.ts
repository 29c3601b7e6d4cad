import { describe, expect, it } from 'vitest';
import { type AlliancePartner, createAlliance } from '../support/alliance.ts';
import { signedInAs } from './console-client.ts';

const alliance = await createAlliance();
const { gateway, coffee, airline, bookstore } = alliance;
const member = await alliance.member({ coffee: 10_000n, airline: 2_000n, bookstore: 5_000n });
for (const [from, to] of [
  [coffee, airline],
  [airline, bookstore],
] as const) {
  const response = await alliance.transfer(from, to, member, 1_000n);
  expect(((await response.json()) as { status: string }).status).toBe('completed');
}

const signedIn = (role: string, partner: AlliancePartner | null = null) => signedInAs(gateway, role, partner);

async function json<T>(response: Response): Promise<T> {
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

describe('the plots', () => {
  it("draw the test's transfers in the Sankey, a partner's only those touching its programmes", async () => {
    const operator = await signedIn('operator');
    const page = await operator.browser.get('/console/flows');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const pageText = await page.text();
    expect(pageText).toContain('/console/assets/echarts.min.js');
    expect(pageText).not.toMatch(/<script>/);
    type Flows = {
      measure: string;
      links: { sourceProgramId: string; targetProgramId: string; sourcePoints: string; transfers: number }[];
    };
    const flows = await json<Flows>(await operator.browser.get('/console/flows.json'));
    expect(flows.measure).toBe('source_points');
    expect(flows.links).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          sourceProgramId: coffee.programId,
          targetProgramId: airline.programId,
          sourcePoints: '1000',
          transfers: 1,
        }),
        expect.objectContaining({
          sourceProgramId: airline.programId,
          targetProgramId: bookstore.programId,
          sourcePoints: '1000',
          transfers: 1,
        }),
      ]),
    );
    // A period that ended before the transfers has none of them.
    const old = await json<Flows>(
      await operator.browser.get('/console/flows.json?from=2020-01-01&to=2020-01-07'),
    );
    expect(old.links).toEqual([]);

    const coffeeUser = await signedIn('partner_viewer', coffee);
    const coffeeFlows = await json<Flows>(await coffeeUser.browser.get('/console/flows.json'));
    expect(coffeeFlows.links.map((link) => [link.sourceProgramId, link.targetProgramId])).toEqual([
      [coffee.programId, airline.programId],
    ]);
    const script = await coffeeUser.browser.get('/console/assets/echarts.min.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
  });

  it("draw a hosted programme's liability by day, and name the programmes not in the ledger", async () => {
    const { browser } = await signedIn('operator');
    const plot = await json<{
      days: string[];
      programs: { programId: string; balancePoints: string[] }[];
      notInLedger: { programId: string }[];
    }>(await browser.get('/console/liability.json'));
    expect(plot.days).toHaveLength(30);
    expect(plot.days.at(-1)).toBe(new Date().toISOString().slice(0, 10));
    const books = plot.programs.find((program) => program.programId === bookstore.programId);
    // 5,000 seeded and 1,000 transferred in, both today.
    expect(books?.balancePoints.at(-1)).toBe('6000');
    expect(books?.balancePoints.at(0)).toBe('0');
    expect(plot.notInLedger.map((program) => program.programId)).toEqual(
      expect.arrayContaining([coffee.programId, airline.programId]),
    );
    expect(await (await browser.get('/console/liability')).text()).toContain("Not in the gateway's ledger");

    const coffeeUser = await signedIn('partner_viewer', coffee);
    const coffeePlot = await json<{ programs: unknown[]; notInLedger: { programId: string }[] }>(
      await coffeeUser.browser.get('/console/liability.json'),
    );
    expect(coffeePlot.programs).toEqual([]);
    expect(coffeePlot.notInLedger.map((program) => program.programId)).toEqual([coffee.programId]);
  });
});
