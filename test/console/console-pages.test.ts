// The console's members, keys, webhooks, catalog and statements pages and their JSON, through the
// console's own endpoints as a browser uses them (session cookie, CSRF token in the form). Real
// PostgreSQL, Temporal and partner servers: the transfers move for real and finance closes a real
// cycle, in a database of its own (a close takes every open obligation, not other test files' too).
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AlliancePartner, createAlliance } from '../support/alliance.ts';
import { signedInAs } from './console-client.ts';

const alliance = await createAlliance({ ownDatabase: 'console_pages' });
const { gateway, coffee, airline, bookstore } = alliance;
const member = await alliance.member({ coffee: 10_000n, airline: 2_000n, bookstore: 5_000n });
for (const [from, to] of [
  [coffee, airline],
  [airline, bookstore],
] as const) {
  const response = await alliance.transfer(from, to, member, 1_000n);
  expect(((await response.json()) as { status: string }).status).toBe('completed');
}
const closed = await gateway.call(gateway.finance, 'POST', '/v1/finance/settlement/cycles', { body: {} });
expect(closed.status).toBe(201);
const cycleId = ((await closed.json()) as { cycle: { id: string } }).cycle.id;

// A member of coffee only: no other partner may find it.
const coffeeOnlyAccount = `c-${randomUUID()}`;
const coffeeOnlyLink = await gateway.call(coffee.signer, 'POST', '/v1/member-links', {
  body: {
    memberId: null,
    programId: coffee.programId,
    accountRef: coffeeOnlyAccount,
    consent: { grantedAt: new Date().toISOString(), scopes: ['transfers'], reference: 'console-test' },
  },
});
expect(coffeeOnlyLink.status).toBe(201);
const coffeeOnlyMember = ((await coffeeOnlyLink.json()) as { memberId: string }).memberId;

const signedIn = (role: string, partner: AlliancePartner | null = null) => signedInAs(gateway, role, partner);

async function json<T>(response: Response): Promise<T> {
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

describe('the members page', () => {
  it('finds a member by account for its partner, with hosted balances and history', async () => {
    const { browser } = await signedIn('partner_viewer', bookstore);
    const query = `programId=${bookstore.programId}&accountRef=${member.accounts.bookstore}`;
    const page = await browser.get(`/console/members?${query}`);
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain(member.memberId);
    expect(text).toContain('6,000'); // 5,000 seeded and 1,000 from the airline transfer
    expect(text).not.toContain(member.accounts.coffee); // another partner's link stays out
    const found = await json<{
      memberId: string;
      links: { program_id: string }[];
      balances: { programId: string; kept: string; availablePoints?: string }[];
      history: { kind: string; programIds: string[] }[];
    }>(await browser.get(`/console/members.json?${query}`));
    expect(found.links.map((link) => link.program_id)).toEqual([bookstore.programId]);
    expect(found.balances).toEqual([
      expect.objectContaining({ programId: bookstore.programId, kept: 'hosted', availablePoints: '6000' }),
    ]);
    expect(found.history.map((event) => event.kind)).toEqual(['transfer']);
  });

  it("shows the operator every link, a partner system's balance noted as kept there", async () => {
    const { browser } = await signedIn('operator');
    const found = await json<{ links: unknown[]; balances: { kept: string }[]; history: unknown[] }>(
      await browser.get(`/console/members.json?memberId=${member.memberId}`),
    );
    expect(found.links).toHaveLength(3);
    expect(found.balances.map((balance) => balance.kept).sort()).toEqual([
      'hosted',
      'partner_system',
      'partner_system',
    ]);
    expect(found.history).toHaveLength(2);
    expect(await (await browser.get(`/console/members?memberId=${member.memberId}`)).text()).toContain(
      "Kept in the partner's own system",
    );
  });

  it("refuses another partner's member, by id and by account, page and JSON", async () => {
    const { browser } = await signedIn('partner_admin', bookstore);
    // Each refusal says nothing the viewer did not type: not the account behind an id, nor the reverse.
    const lookups: [path: string, hidden: string][] = [
      [`/console/members?memberId=${coffeeOnlyMember}`, coffeeOnlyAccount],
      [`/console/members.json?memberId=${coffeeOnlyMember}`, coffeeOnlyAccount],
      [
        `/console/members.json?programId=${coffee.programId}&accountRef=${coffeeOnlyAccount}`,
        coffeeOnlyMember,
      ],
      [`/console/members?programId=${coffee.programId}&accountRef=${coffeeOnlyAccount}`, coffeeOnlyMember],
      // A member the bookstore shares with coffee, looked up by coffee's account number: coffee's
      // account numbers are not the bookstore's to resolve.
      [
        `/console/members.json?programId=${coffee.programId}&accountRef=${member.accounts.coffee}`,
        member.memberId,
      ],
      [
        `/console/members?programId=${coffee.programId}&accountRef=${member.accounts.coffee}`,
        member.memberId,
      ],
    ];
    for (const [path, hidden] of lookups) {
      const response = await browser.get(path);
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain(hidden);
    }
    const coffeeUser = await signedIn('partner_viewer', coffee);
    expect((await coffeeUser.browser.get(`/console/members?memberId=${coffeeOnlyMember}`)).status).toBe(200);
  });
});

describe('keys and webhooks', () => {
  it("list a partner's own keys and deliveries only", async () => {
    const { browser } = await signedIn('partner_viewer', coffee);
    const { keys } = await json<{ keys: { partner_id: string; kid: string; status: string }[] }>(
      await browser.get('/console/keys.json'),
    );
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((key) => key.partner_id === coffee.partner.id && key.status === 'active')).toBe(true);
    expect(JSON.stringify(keys)).not.toMatch(/"(d|x|public_jwk)"/);
    const keysPage = await (await browser.get('/console/keys')).text();
    expect(keysPage).toContain(keys[0]?.kid);
    expect(keysPage).not.toContain(airline.partner.id);

    const airlineDeliveries = await gateway.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('partner_id', '=', airline.partner.id)
      .execute();
    expect(airlineDeliveries.length).toBeGreaterThan(0);
    const { deliveries } = await json<{ deliveries: { id: string; partner_id: string }[] }>(
      await browser.get('/console/webhooks.json'),
    );
    expect(deliveries.length).toBeGreaterThan(0);
    expect(deliveries.every((delivery) => delivery.partner_id === coffee.partner.id)).toBe(true);
    const webhooksPage = await (await browser.get('/console/webhooks')).text();
    expect(webhooksPage).toContain('transfer.completed');
    for (const { id } of airlineDeliveries) expect(webhooksPage).not.toContain(id);

    const operator = await signedIn('operator');
    const all = await json<{ deliveries: { partner_id: string }[] }>(
      await operator.browser.get('/console/webhooks.json'),
    );
    expect(all.deliveries.map((delivery) => delivery.partner_id)).toContain(airline.partner.id);
  });
});

describe('the catalog page', () => {
  it('shows every item on sale, withdrawn ones to their publisher only', async () => {
    const publish = async (title: string) => {
      const response = await gateway.call(coffee.signer, 'POST', '/v1/catalog/items', {
        body: {
          programId: coffee.programId,
          kind: 'coupon',
          title,
          description: 'A console test item',
          pricePoints: '70',
          stock: '10',
          coupon: { validity: { days: 30 } },
        },
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { id: string }).id;
    };
    const onSale = await publish('Flat white');
    const withdrawn = await publish('Discontinued muffin');
    const withdrawal = await gateway.call(coffee.signer, 'POST', `/v1/catalog/items/${withdrawn}/withdrawal`);
    expect(withdrawal.status).toBe(200);

    const other = await signedIn('partner_viewer', bookstore);
    const seen = await json<{ items: { id: string }[] }>(await other.browser.get('/console/catalog.json'));
    expect(seen.items.map((item) => item.id)).toContain(onSale);
    expect(seen.items.map((item) => item.id)).not.toContain(withdrawn);
    const otherPage = await (await other.browser.get('/console/catalog')).text();
    expect(otherPage).toContain('Flat white');
    expect(otherPage).not.toContain('Discontinued muffin');

    const own = await signedIn('partner_viewer', coffee);
    const ownPage = await (await own.browser.get('/console/catalog')).text();
    expect(ownPage).toContain('Discontinued muffin');
    expect(ownPage).toContain('withdrawn');
  });
});

describe("a cycle's statements and positions", () => {
  it("give a partner its own signed statement and CSV, and not another's", async () => {
    const { browser } = await signedIn('partner_viewer', coffee);
    const cyclePage = await (await browser.get(`/console/settlement/${cycleId}`)).text();
    const own = `/console/settlement/${cycleId}/statements/${coffee.partner.id}`;
    expect(cyclePage).toContain(`${own}/statement.jws`);
    expect(cyclePage).not.toContain(`statements/${airline.partner.id}`);
    const jws = await browser.get(`${own}/statement.jws`);
    expect(jws.status).toBe(200);
    const signed = await jws.text();
    expect(signed.split('.')).toHaveLength(3);
    const payload = JSON.parse(Buffer.from(signed.split('.')[1] ?? '', 'base64url').toString('utf8'));
    expect(payload.partnerId).toBe(coffee.partner.id);
    const csv = await browser.get(`${own}/lines.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((await csv.text()).split('\r\n').length).toBeGreaterThan(1);

    const other = `/console/settlement/${cycleId}/statements/${airline.partner.id}`;
    expect((await browser.get(`${other}/statement.jws`)).status).toBe(404);
    expect((await browser.get(`${other}/lines.csv`)).status).toBe(404);

    const positions = await json<{ currencies: { parties: { partyId: string }[] }[] }>(
      await browser.get(`/console/settlement/${cycleId}/positions.json`),
    );
    const parties = positions.currencies.flatMap((currency) =>
      currency.parties.map((party) => party.partyId),
    );
    expect(parties).toEqual([coffee.partner.id]);
  });

  it('give finance every partner of the cycle, and every position', async () => {
    const { browser } = await signedIn('finance');
    const cyclePage = await (await browser.get(`/console/settlement/${cycleId}`)).text();
    for (const partner of [coffee, airline, bookstore]) {
      expect(cyclePage).toContain(`statements/${partner.partner.id}/statement.jws`);
    }
    const airlineStatement = `/console/settlement/${cycleId}/statements/${airline.partner.id}/statement.jws`;
    expect((await browser.get(airlineStatement)).status).toBe(200);
    const positions = await json<{ currencies: { parties: { partyId: string; netMinor: string }[] }[] }>(
      await browser.get(`/console/settlement/${cycleId}/positions.json`),
    );
    const parties = positions.currencies.flatMap((currency) => currency.parties);
    expect(parties.map((party) => party.partyId)).toEqual(
      expect.arrayContaining([coffee.partner.id, airline.partner.id, bookstore.partner.id]),
    );
    // Netting is zero-sum per currency.
    for (const currency of positions.currencies) {
      expect(currency.parties.reduce((sum, party) => sum + BigInt(party.netMinor), 0n)).toBe(0n);
    }
  });
});
