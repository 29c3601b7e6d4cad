// Alliance analytics over real activity: members with known transfers and a paid catalog order,
// made through the API against real partner servers and Temporal (and one member linked ten days
// ago through the member-link use case), are read back through the signed API as RFM segments, top
// pairs and link conversion; partners see only their share, and bad windows are refused by field.
// A database of this file's own, so that the alliance-wide figures hold only this file's members.
import { beforeAll, describe, expect, it } from 'vitest';
import { createServiceContext } from '../../services/context.ts';
import { linkMember } from '../../services/member-links.ts';
import { consoleBrowser, signInAs } from '../console/console-client.ts';
import { type AlliancePartner, createAlliance, type Member } from '../support/alliance.ts';
import type { Signer } from '../support/signer.ts';

const alliance = await createAlliance({ ownDatabase: 'analytics' });
const { gateway, coffee, airline, bookstore } = alliance;
const dayMs = 86_400_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface SegmentRow {
  segment: string;
  members: string;
  activities: string;
  monetaryTotal: string;
}
interface Rfm {
  programs: { programId: string; activeMembers: string; segments: SegmentRow[] }[];
  alliance: { currency: string; activeMembers: string; segments: SegmentRow[] }[] | null;
}
interface Pair {
  sourceProgramId: string;
  targetProgramId: string;
  transfers: string;
  members: string;
  debitPoints: string;
}
interface Conversion {
  programId?: string;
  links: string;
  converted: string;
  convertedWithin1Day: string;
  convertedWithin7Days: string;
  convertedWithin30Days: string;
  medianSecondsToFirstTransfer: string | null;
}

async function transferDone(from: AlliancePartner, to: AlliancePartner, member: Member, points: bigint) {
  const response = await alliance.transfer(from, to, member, points);
  expect(response.status).toBeLessThan(300);
  const { id } = (await response.json()) as { id: string };
  expect((await alliance.settled(id)).status).toBe('completed');
}

/** The publisher's coupon bought with the buyer's points, waited for until paid. */
async function buyCoupon(publisher: AlliancePartner, buyer: AlliancePartner, member: Member) {
  const item = await gateway.call(publisher.signer, 'POST', '/v1/catalog/items', {
    body: {
      programId: publisher.programId,
      kind: 'coupon',
      title: 'Lounge pass',
      description: 'One visit',
      tags: ['travel'],
      pricePoints: '70',
      stock: '10',
      coupon: { validity: { days: 30 }, terms: 'One a day' },
    },
  });
  expect(item.status).toBe(201);
  const itemId = ((await item.json()) as { id: string }).id;
  const quote = await gateway.call(buyer.signer, 'POST', '/v1/catalog/quotes', {
    body: { memberId: member.memberId, programId: buyer.programId, itemId },
  });
  expect(quote.status).toBe(201);
  const ordered = await gateway.call(buyer.signer, 'POST', '/v1/catalog/orders', {
    body: { quoteId: ((await quote.json()) as { id: string }).id },
  });
  const orderId = ((await ordered.json()) as { id: string }).id;
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const order = (await (
      await gateway.call(buyer.signer, 'GET', `/v1/catalog/orders/${orderId}`)
    ).json()) as {
      status: string;
    };
    if (order.status !== 'reserved') {
      expect(order.status).toBe('completed');
      return;
    }
    await sleep(100);
  }
  throw new Error(`order ${orderId} did not end`);
}

/** A member linked to airline and bookstore ten days ago, through the use case the API calls. */
async function memberLinkedDaysAgo(days: number): Promise<Member> {
  const context = createServiceContext(gateway.db);
  const at = new Date(Date.now() - days * dayMs);
  const accounts = { coffee: '', airline: `a-old-${Date.now()}`, bookstore: `b-old-${Date.now()}` };
  let memberId: string | null = null;
  for (const [partner, accountRef] of [
    [airline, accounts.airline],
    [bookstore, accounts.bookstore],
  ] as const) {
    const link = await linkMember(context, {
      partnerId: partner.partner.id,
      memberId,
      programId: partner.programId,
      accountRef,
      tier: null,
      consent: { grantedAt: at, scopes: ['transfers'], reference: `consent-${accountRef}` },
      coolingOffHours: 0,
      now: at,
    });
    memberId = link.member_id;
  }
  await airline.server?.books.openAccount(accounts.airline, 5_000n);
  return { memberId: memberId ?? '', accounts };
}

const testStart = Date.now();
const from = new Date(testStart - 20 * dayMs).toISOString();
let to = '';

const get = async <T>(signer: Signer, path: string, status = 200): Promise<T> => {
  const response = await gateway.call(signer, 'GET', path);
  expect(response.status, await response.clone().text()).toBe(status);
  return (await response.json()) as T;
};
const query = (extra: Record<string, string> = {}) => new URLSearchParams({ from, to, ...extra }).toString();
const membersBySegment = (segments: SegmentRow[]) =>
  Object.fromEntries(segments.filter((row) => row.members !== '0').map((row) => [row.segment, row.members]));

beforeAll(async () => {
  const [m1, m2, m3] = await Promise.all([
    alliance.member({ coffee: 10_000n }),
    alliance.member({ coffee: 10_000n }),
    alliance.member({ coffee: 10_000n }),
  ]);
  const m5 = await alliance.member({ airline: 10_000n });
  const m6 = await memberLinkedDaysAgo(10);
  if (!m1 || !m2 || !m3) throw new Error('members not enrolled');
  for (let i = 0; i < 3; i += 1) await transferDone(coffee, airline, m1, 1_000n);
  await transferDone(coffee, airline, m2, 500n);
  await buyCoupon(airline, coffee, m2);
  await transferDone(coffee, airline, m3, 100n);
  await transferDone(airline, bookstore, m5, 200n);
  await transferDone(airline, bookstore, m5, 200n);
  await transferDone(airline, bookstore, m6, 100n);
  to = new Date(Date.now() + 60_000).toISOString();
}, 180_000);

describe('RFM segments', () => {
  it('puts members with known activity in the expected segments of their programme', async () => {
    const rfm = await get<Rfm>(coffee.signer, `/v1/analytics/rfm?${query({ programId: coffee.programId })}`);
    expect(rfm.programs.map((program) => program.programId)).toEqual([coffee.programId]);
    const [program] = rfm.programs;
    expect(program?.activeMembers).toBe('3');
    // m1: 3 transfers, 3,000 points; m2: a transfer and an order; m3: one transfer of 100.
    expect(membersBySegment(program?.segments ?? [])).toEqual({ champions: '1', loyal: '1', new: '1' });
    expect(program?.segments.find((row) => row.segment === 'champions')).toMatchObject({
      activities: '3',
      monetaryTotal: '3000',
    });
    expect(program?.segments.find((row) => row.segment === 'new')).toMatchObject({
      activities: '1',
      monetaryTotal: '100',
    });
    expect(rfm.alliance).toBeNull();
  });

  it('measures recency to the end of the window: the same members 100 days later are at risk or hibernating', async () => {
    const later = new Date(testStart + 100 * dayMs).toISOString();
    const rfm = await get<Rfm>(
      gateway.operator,
      `/v1/operator/analytics/rfm?${new URLSearchParams({ from, to: later, programId: coffee.programId })}`,
    );
    expect(membersBySegment(rfm.programs[0]?.segments ?? [])).toEqual({ at_risk: '2', hibernating: '1' });
  });

  it('scores the whole alliance per settlement currency for the operator and finance', async () => {
    for (const [signer, prefix] of [
      [gateway.operator, '/v1/operator/analytics'],
      [gateway.finance, '/v1/finance/analytics'],
    ] as const) {
      const rfm = await get<Rfm>(signer, `${prefix}/rfm?${query()}`);
      expect(rfm.programs.map((program) => program.programId).sort()).toEqual(
        [coffee.programId, airline.programId, bookstore.programId].sort(),
      );
      expect(rfm.alliance?.map((currency) => [currency.currency, currency.activeMembers])).toEqual([
        ['CNY', '5'],
      ]);
    }
  });

  it("shows a partner its own programmes only, and refuses another partner's programme", async () => {
    const own = await get<Rfm>(bookstore.signer, `/v1/analytics/rfm?${query()}`);
    expect(own.programs.map((program) => program.programId)).toEqual([bookstore.programId]);
    expect(own.programs[0]?.activeMembers).toBe('2');

    const response = await gateway.call(
      coffee.signer,
      'GET',
      `/v1/analytics/rfm?${query({ programId: airline.programId })}`,
    );
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await response.json()).toMatchObject({
      code: 'forbidden',
      errors: [{ field: 'query.programId' }],
    });

    const operatorDoor = await gateway.call(coffee.signer, 'GET', `/v1/operator/analytics/rfm?${query()}`);
    expect(operatorDoor.status).toBe(403);
  });
});

describe('brand pairs', () => {
  it('orders the pairs by transfers, with their members and points', async () => {
    const { pairs } = await get<{ pairs: Pair[] }>(
      gateway.operator,
      `/v1/operator/analytics/brand-pairs?${query()}`,
    );
    expect(pairs).toEqual([
      expect.objectContaining({
        sourceProgramId: coffee.programId,
        targetProgramId: airline.programId,
        transfers: '5',
        members: '3',
        debitPoints: '3600',
      }),
      expect.objectContaining({
        sourceProgramId: airline.programId,
        targetProgramId: bookstore.programId,
        transfers: '3',
        members: '2',
        debitPoints: '500',
      }),
    ]);
    const top = await get<{ pairs: Pair[] }>(
      gateway.finance,
      `/v1/finance/analytics/brand-pairs?${query({ limit: '1' })}`,
    );
    expect(top.pairs.map((pair) => pair.transfers)).toEqual(['5']);
  });

  it('shows a partner only the pairs with one of its programmes at either end', async () => {
    const ofBookstore = await get<{ pairs: Pair[] }>(
      bookstore.signer,
      `/v1/analytics/brand-pairs?${query()}`,
    );
    expect(ofBookstore.pairs.map((pair) => [pair.sourceProgramId, pair.targetProgramId])).toEqual([
      [airline.programId, bookstore.programId],
    ]);
    const ofCoffee = await get<{ pairs: Pair[] }>(coffee.signer, `/v1/analytics/brand-pairs?${query()}`);
    expect(ofCoffee.pairs.map((pair) => pair.targetProgramId)).toEqual([airline.programId]);
  });
});

describe('link conversion', () => {
  it('counts the links of the window that led to a first transfer, within 1, 7 and 30 days', async () => {
    const report = await get<{ programs: Conversion[]; total: Conversion }>(
      gateway.operator,
      `/v1/operator/analytics/link-conversion?${query()}`,
    );
    const of = (programId: string) => report.programs.find((row) => row.programId === programId);
    expect(of(coffee.programId)).toMatchObject({ links: '4', converted: '3', convertedWithin1Day: '3' });
    expect(of(airline.programId)).toMatchObject({
      links: '5',
      converted: '5',
      convertedWithin1Day: '4',
      convertedWithin7Days: '4',
      convertedWithin30Days: '5',
    });
    const books = of(bookstore.programId);
    expect(books).toMatchObject({
      links: '5',
      converted: '2',
      convertedWithin1Day: '1',
      convertedWithin7Days: '1',
      convertedWithin30Days: '2',
    });
    // The median of a few seconds and ten days: about five days.
    const medianDays = Number(books?.medianSecondsToFirstTransfer) / 86_400;
    expect(medianDays).toBeGreaterThan(4.9);
    expect(medianDays).toBeLessThan(5.1);
    expect(report.total).toMatchObject({ links: '14', converted: '10' });
  });

  it("gives a partner its own programmes' links only", async () => {
    const report = await get<{ programs: Conversion[]; total: Conversion }>(
      coffee.signer,
      `/v1/analytics/link-conversion?${query()}`,
    );
    expect(report.programs.map((row) => row.programId)).toEqual([coffee.programId]);
    expect(report.total).toMatchObject({ links: '4', converted: '3' });
  });
});

describe('bad input', () => {
  it.each([
    [
      'a window that ends before it starts',
      `from=${encodeURIComponent('2026-11-02T00:00:00Z')}&to=${encodeURIComponent('2026-11-01T00:00:00Z')}`,
      'query.to',
    ],
    [
      'a window longer than 366 days',
      `from=${encodeURIComponent('2024-01-01T00:00:00Z')}&to=${encodeURIComponent('2026-01-01T00:00:00Z')}`,
      'query.from',
    ],
    ['a from that is not an instant', 'from=yesterday', 'query.from'],
    ['a programme id of the wrong shape', 'programId=coffee', 'query.programId'],
  ])('refuses %s as problem+json naming the field', async (_, search, field) => {
    const response = await gateway.call(coffee.signer, 'GET', `/v1/analytics/rfm?${search}`);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await response.json()).toMatchObject({
      code: 'validation_failed',
      errors: [expect.objectContaining({ field })],
    });
  });

  it.each(['0', '101', '1e2'])('refuses a limit of %s', async (limit) => {
    const response = await gateway.call(
      gateway.operator,
      'GET',
      `/v1/operator/analytics/brand-pairs?limit=${limit}`,
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      errors: [expect.objectContaining({ field: 'query.limit' })],
    });
  });
});

describe('the console page', () => {
  async function pageAs(role: string, partner: AlliancePartner | null): Promise<string> {
    const username = `${role}-${Date.now()}`;
    const password = 'correct horse battery staple';
    const created = await gateway.call(gateway.operator, 'POST', '/v1/operator/console-users', {
      body: { username, role, partnerId: partner?.partner.id ?? null, password },
    });
    expect(created.status).toBe(201);
    const browser = consoleBrowser(gateway);
    expect((await signInAs(browser, username, password)).status).toBe(303);
    const response = await browser.get('/console/analytics?days=30');
    expect(response.status).toBe(200);
    return response.text();
  }

  it('shows the operator every programme, the alliance row, the pairs and the conversion', async () => {
    const text = await pageAs('operator', null);
    for (const programId of [coffee.programId, airline.programId, bookstore.programId])
      expect(text).toContain(programId);
    expect(text).toContain('Alliance</strong> (CNY settlement value)');
    expect(text).toContain('href="/console/analytics"');
  });

  it("shows a partner's user its own programmes only", async () => {
    const text = await pageAs('partner_viewer', bookstore);
    expect(text).toContain(bookstore.programId);
    expect(text).not.toContain(coffee.programId);
    expect(text).not.toContain('settlement value');
  });
});
