// Rate agreements through the API: both partners must accept before a rate is in force, versions
// take over at their start, out-of-window and arbitrage are refused with their own codes.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { linkMember } from '../../test/support/exchange.ts';
import { createTestGateway } from '../../test/support/gateway.ts';

const gateway = await createTestGateway({ coolingOffHours: 24 });
const coffee = await gateway.onboardPartner('Rates Coffee', undefined, { ledger: 'hosted' });
const airline = await gateway.onboardPartner('Rates Airline', undefined, { ledger: 'hosted' });
const cinema = await gateway.onboardPartner('Rates Cinema', undefined, { ledger: 'hosted' });
const program = (partner: typeof coffee) => partner.partner.programs[0]?.id ?? '';

function terms(from: typeof coffee, to: typeof coffee, overrides: Record<string, unknown> = {}) {
  return {
    sourceProgramId: program(from),
    targetProgramId: program(to),
    fromPoints: '10',
    toPoints: '7',
    feeBasisPoints: 100,
    feePayer: 'member',
    sourcePointsMin: '100',
    sourcePointsMax: '100000',
    memberDailyCapSourcePoints: '5000',
    settlement: { amountMinor: '1', perTargetPoints: '1', currency: 'CNY' },
    effectiveFrom: new Date(Date.now() - 60_000).toISOString(),
    ...overrides,
  };
}

async function propose(by: typeof coffee, body: object) {
  return gateway.call(by.signer, 'POST', '/v1/rate-agreements', { body });
}

async function accept(by: typeof coffee, version: { agreementId: string; version: number }) {
  return gateway.call(
    by.signer,
    'POST',
    `/v1/rate-agreements/${version.agreementId}/versions/${version.version}/accept`,
  );
}

const member = (...partners: (typeof coffee)[]) =>
  linkMember(
    gateway,
    partners.map((partner) => ({ signer: partner.signer, programId: program(partner) })),
    { tier: 'gold' },
  );

async function quoteCode(memberId: string, sourcePoints: string) {
  const response = await gateway.call(coffee.signer, 'POST', '/v1/quotes', {
    body: { memberId, sourceProgramId: program(coffee), targetProgramId: program(airline), sourcePoints },
  });
  return {
    status: response.status,
    body: (await response.json()) as { code?: string; creditPoints?: string; modifiers?: unknown[] },
  };
}

describe('rate agreements', () => {
  it('is in force only once both partners accepted, and names the applied tier', async () => {
    const memberId = await member(coffee, airline);
    const proposed = await propose(
      coffee,
      terms(coffee, airline, { tierRatios: [{ tier: 'gold', fromPoints: '10', toPoints: '8' }] }),
    );
    expect(proposed.status).toBe(201);
    const version = (await proposed.json()) as { agreementId: string; version: number; status: string };
    expect(version.status).toBe('proposed');
    expect((await quoteCode(memberId, '500')).body.code).toBe('agreement_not_in_force');

    expect((await accept(coffee, version)).status).toBe(200);
    expect((await quoteCode(memberId, '500')).body.code).toBe('agreement_not_in_force');
    const accepted = await accept(airline, version);
    expect(((await accepted.json()) as { status: string }).status).toBe('accepted');

    const quoted = await quoteCode(memberId, '500');
    expect(quoted.status).toBe(201);
    expect(quoted.body.creditPoints).toBe('400');
    expect(quoted.body.modifiers).toEqual([{ kind: 'tier', tier: 'gold', fromPoints: '10', toPoints: '8' }]);
  });

  it('limits a new link during cooling-off, and refuses amounts outside the limits', async () => {
    const memberId = await member(coffee, airline);
    expect((await quoteCode(memberId, '99')).body.code).toBe('amount_below_minimum');
    expect((await quoteCode(memberId, '100001')).body.code).toBe('amount_above_maximum');
    expect((await quoteCode(memberId, '2000')).body.code).toBe('link_cooling_off');
  });

  it('refuses a rate that opens an arbitrage cycle, naming it', async () => {
    const response = await propose(airline, terms(airline, coffee, { fromPoints: '7', toPoints: '11' }));
    expect(response.status).toBe(422);
    const problem = (await response.json()) as { code: string; detail: string };
    expect(problem.code).toBe('rate_arbitrage');
    expect(problem.detail).toContain(`${program(airline)} → ${program(coffee)} → ${program(airline)}`);
  });

  it('accepts a fair rate back', async () => {
    const response = await propose(airline, terms(airline, coffee, { fromPoints: '8', toPoints: '10' }));
    expect(response.status).toBe(201);
  });

  it('refuses a partner that owns neither programme, and a version that is over', async () => {
    expect((await propose(cinema, terms(coffee, airline))).status).toBe(403);
    const past = await propose(
      coffee,
      terms(coffee, cinema, {
        effectiveFrom: new Date(Date.now() - 7_200_000).toISOString(),
        effectiveUntil: new Date(Date.now() - 3_600_000).toISOString(),
      }),
    );
    const version = (await past.json()) as { agreementId: string; version: number };
    const late = await accept(cinema, version);
    expect(late.status).toBe(409);
    expect(((await late.json()) as { code: string }).code).toBe('agreement_version_conflict');
  });

  it('counts a version that ended a minute ago, whose quotes may still be spent, in the arbitrage check', async () => {
    // A programme of its own: the ended version weighs on every later rate back into it.
    const theatre = await gateway.onboardPartner('Rates Theatre', undefined, { ledger: 'hosted' });
    const ended = await propose(
      theatre,
      terms(theatre, airline, {
        fromPoints: '10',
        toPoints: '20',
        effectiveFrom: new Date(Date.now() - 7_200_000).toISOString(),
        effectiveUntil: new Date(Date.now() - 60_000).toISOString(),
      }),
    );
    expect(ended.status).toBe(201);
    // 10 seats → 20 miles on a quote priced before the end, 20 miles → 12 seats: a gain.
    const back = await propose(airline, terms(airline, theatre, { fromPoints: '10', toPoints: '6' }));
    expect(back.status).toBe(422);
    expect(((await back.json()) as { code: string }).code).toBe('rate_arbitrage');
  });

  it('names the fields of an invalid proposal', async () => {
    const response = await propose(
      coffee,
      terms(coffee, airline, {
        fromPoints: '0',
        sourcePointsMax: '1',
        settlement: { amountMinor: '1', perTargetPoints: '1', currency: 'yuan' },
      }),
    );
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((error) => error.field).sort()).toEqual([
      'fromPoints',
      'settlement.currency',
      'sourcePointsMax',
    ]);
  });
});

describe('cooling-off at the transfer', () => {
  it('says link_cooling_off when a transfer passes the cap of a link still cooling off', async () => {
    const kiosk = await gateway.onboardPartner('Rates Kiosk', undefined, { ledger: 'hosted' });
    const memberId = await member(coffee, kiosk);
    const agreed = await propose(coffee, terms(coffee, kiosk, { fromPoints: '10', toPoints: '10' }));
    expect(
      (await accept(kiosk, (await agreed.json()) as { agreementId: string; version: number })).status,
    ).toBe(200);
    const link = await gateway.db
      .selectFrom('member_links')
      .select('account_ref')
      .where('member_id', '=', memberId)
      .where('program_id', '=', program(coffee))
      .executeTakeFirstOrThrow();
    const credited = await gateway.call(
      coffee.signer,
      'POST',
      `/v1/programs/${program(coffee)}/accounts/${link.account_ref}/credits`,
      { body: { points: '2000', reason: 'earned' } },
    );
    expect(credited.status).toBe(201);
    // Two quotes of 600, each within the new link's cap of 1,000; together past it.
    const quote = async () => {
      const quoted = await gateway.call(coffee.signer, 'POST', '/v1/quotes', {
        body: {
          memberId,
          sourceProgramId: program(coffee),
          targetProgramId: program(kiosk),
          sourcePoints: '600',
        },
      });
      expect(quoted.status).toBe(201);
      return ((await quoted.json()) as { id: string }).id;
    };
    const [first, second] = [await quote(), await quote()];
    const transfer = (quoteId: string) =>
      gateway.call(coffee.signer, 'POST', '/v1/transfers', { body: { quoteId } });
    expect((await transfer(first)).status).toBe(201);
    const refused = await transfer(second);
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { code: string }).code).toBe('link_cooling_off');
  });

  it('caps a transfer from a link made again since its quote, as a quote priced now would', async () => {
    const shop = await gateway.onboardPartner('Rates Shop', undefined, { ledger: 'hosted' });
    const memberId = await member(coffee, shop);
    const agreed = await propose(coffee, terms(coffee, shop, { fromPoints: '10', toPoints: '10' }));
    expect(
      (await accept(shop, (await agreed.json()) as { agreementId: string; version: number })).status,
    ).toBe(200);
    // The coffee link is old: its cooling-off is over, so the quote carries the agreement's cap.
    await sql`update member_links set cooling_off_until = now() - interval '1 hour' where member_id = ${memberId}`.execute(
      gateway.db,
    );
    const quoted = await gateway.call(coffee.signer, 'POST', '/v1/quotes', {
      body: {
        memberId,
        sourceProgramId: program(coffee),
        targetProgramId: program(shop),
        sourcePoints: '2000',
      },
    });
    expect(quoted.status).toBe(201);
    const quoteId = ((await quoted.json()) as { id: string }).id;
    // Within the quote's life the link is revoked and made again: the new one is in cooling-off.
    const links = (await (
      await gateway.call(coffee.signer, 'GET', `/v1/members/${memberId}/links`)
    ).json()) as {
      items: { id: string; programId: string }[];
    };
    const old = links.items.find((link) => link.programId === program(coffee));
    const revoked = await gateway.call(coffee.signer, 'POST', `/v1/member-links/${old?.id}/revoke`, {
      body: { reason: 'account closed and opened again' },
    });
    expect(revoked.status).toBe(200);
    const relinked = await gateway.call(coffee.signer, 'POST', '/v1/member-links', {
      body: {
        memberId,
        programId: program(coffee),
        accountRef: `acct-again-${memberId}`,
        consent: { grantedAt: new Date().toISOString(), scopes: ['transfers'], reference: 'app-consent' },
      },
    });
    expect(relinked.status).toBe(201);
    const response = await gateway.call(coffee.signer, 'POST', '/v1/transfers', { body: { quoteId } });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { code: string }).code).toBe('link_cooling_off');
  });
});

describe('suspended partners', () => {
  it('refuses to quote into the programme of a suspended partner', async () => {
    const memberId = await member(coffee, cinema);
    const agreed = await propose(coffee, terms(coffee, cinema, { fromPoints: '10', toPoints: '5' }));
    const version = (await agreed.json()) as { agreementId: string; version: number };
    expect((await accept(cinema, version)).status).toBe(200);
    const suspended = await gateway.call(
      gateway.operator,
      'POST',
      `/v1/operator/partners/${cinema.partner.id}/suspend`,
    );
    expect(suspended.status).toBe(200);
    // Programme look-ups are cached for a few seconds; a suspension reaches quotes within that time.
    await new Promise((resolve) => setTimeout(resolve, 5_100));
    const response = await gateway.call(coffee.signer, 'POST', '/v1/quotes', {
      body: {
        memberId,
        sourceProgramId: program(coffee),
        targetProgramId: program(cinema),
        sourcePoints: '200',
      },
    });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { code: string }).code).toBe('counterparty_suspended');
  });

  it('refuses a transfer from a quote priced before the partner was suspended', async () => {
    const books = await gateway.onboardPartner('Rates Books', undefined, { ledger: 'hosted' });
    const memberId = await member(coffee, books);
    const agreed = await propose(coffee, terms(coffee, books, { fromPoints: '10', toPoints: '10' }));
    expect(
      (await accept(books, (await agreed.json()) as { agreementId: string; version: number })).status,
    ).toBe(200);
    const quoted = await gateway.call(coffee.signer, 'POST', '/v1/quotes', {
      body: {
        memberId,
        sourceProgramId: program(coffee),
        targetProgramId: program(books),
        sourcePoints: '200',
      },
    });
    expect(quoted.status).toBe(201);
    const quoteId = ((await quoted.json()) as { id: string }).id;
    const suspended = await gateway.call(
      gateway.operator,
      'POST',
      `/v1/operator/partners/${books.partner.id}/suspend`,
    );
    expect(suspended.status).toBe(200);
    // The quote is still within its life; the partner's status is read again when it is spent.
    const response = await gateway.call(coffee.signer, 'POST', '/v1/transfers', { body: { quoteId } });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { code: string }).code).toBe('counterparty_suspended');
    const transfers = await gateway.db
      .selectFrom('transfers')
      .select('id')
      .where('quote_id', '=', quoteId)
      .execute();
    expect(transfers).toEqual([]);
  });
});
