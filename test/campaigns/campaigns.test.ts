// Campaigns a partner runs on its own programme: a bonus on transfers into it. Goal: the quote shows
// the campaign that applied and the transfer credits it, while the source partner settles only what
// the agreement gives; campaigns stack no further than the programme's cap, which the quote names;
// a campaign that would let a member go round the rates and gain is refused like a rate. Method: the
// test alliance (real partner servers over HTTP, the hosted bookstore, Temporal), its agreements
// 10 coffee → 7 miles, 10 miles → 10 books, 10 books → 10 coffee, 10 coffee → 8 books.
import { describe, expect, it } from 'vitest';
import { type AlliancePartner, createAlliance, type Member } from '../support/alliance.ts';

const alliance = await createAlliance();
const { gateway, coffee, airline, bookstore } = alliance;

interface QuoteView {
  id: string;
  creditPoints: string;
  ratio: { numerator: string; denominator: string };
  modifiers: Record<string, unknown>[];
  settlement: { amountMinor: string };
}

const hourAgo = () => new Date(Date.now() - 3_600_000).toISOString();
const inADay = () => new Date(Date.now() + 86_400_000).toISOString();

async function schedule(owner: AlliancePartner, body: Record<string, unknown>): Promise<Response> {
  return gateway.call(owner.signer, 'POST', '/v1/campaigns', {
    body: { programId: owner.programId, startsAt: hourAgo(), endsAt: inADay(), ...body },
  });
}

async function scheduled(owner: AlliancePartner, body: Record<string, unknown>): Promise<{ id: string }> {
  const response = await schedule(owner, body);
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as { id: string };
}

async function end(owner: AlliancePartner, campaignId: string): Promise<void> {
  const response = await gateway.call(owner.signer, 'POST', `/v1/campaigns/${campaignId}/end`);
  expect(response.status).toBe(200);
}

async function quote(member: Member, sourcePoints: bigint): Promise<QuoteView> {
  const response = await gateway.call(coffee.signer, 'POST', '/v1/quotes', {
    body: {
      memberId: member.memberId,
      sourceProgramId: coffee.programId,
      targetProgramId: airline.programId,
      sourcePoints: String(sourcePoints),
    },
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as QuoteView;
}

describe('campaigns on transfers into a programme', () => {
  it('applies a running campaign: the quote names it, the member gets it, the source partner pays the agreed credit', async () => {
    const campaign = await scheduled(airline, {
      name: 'Coffee lovers fly further',
      sourceProgramId: coffee.programId,
      multiplierNumerator: '4',
      multiplierDenominator: '3',
    });
    // Another partner's programme is not the airline's to run campaigns on.
    expect(
      (
        await schedule(airline, {
          programId: coffee.programId,
          name: 'x',
          multiplierNumerator: '2',
          multiplierDenominator: '1',
        })
      ).status,
    ).toBe(403);

    const member = await alliance.member({ coffee: 5_000n });
    const priced = await quote(member, 1_000n);
    // 1,000 coffee × 7/10 × 4/3 = 933⅓ miles, of which the member gets 933.
    expect(priced).toMatchObject({ creditPoints: '933', ratio: { numerator: '28', denominator: '30' } });
    expect(priced.modifiers).toEqual([
      {
        kind: 'programme_campaign',
        campaignId: campaign.id,
        name: 'Coffee lovers fly further',
        multiplier: { numerator: '4', denominator: '3' },
      },
    ]);
    // The airline runs the campaign, so it pays for it: the coffee shop settles the 700 miles agreed.
    expect(priced.settlement.amountMinor).toBe('700');

    const response = await gateway.call(coffee.signer, 'POST', '/v1/transfers', {
      body: { quoteId: priced.id },
    });
    expect(response.status).toBe(201);
    const transfer = (await response.json()) as { id: string; status: string; creditPoints: string };
    expect(transfer).toMatchObject({ status: 'completed', creditPoints: '933' });
    expect(await alliance.balance(airline, member)).toBe(933n);
    expect(await alliance.balance(coffee, member)).toBe(4_000n);
    const obligation = await gateway.db
      .selectFrom('settlement_obligations')
      .select('amount_minor')
      .where('transfer_id', '=', transfer.id)
      .where('kind', '=', 'transfer')
      .executeTakeFirstOrThrow();
    expect(obligation.amount_minor).toBe(700n);

    // Ended, it applies no more; the programme lists it with its end.
    await end(airline, campaign.id);
    expect((await quote(member, 1_000n)).modifiers).toEqual([]);
    const listed = await gateway.call(airline.signer, 'GET', `/v1/programs/${airline.programId}/campaigns`);
    const { campaigns } = (await listed.json()) as { campaigns: { id: string; endedAt: string | null }[] };
    expect(campaigns.find((one) => one.id === campaign.id)?.endedAt).not.toBeNull();
  });

  it('stacks campaigns no further than the cap the programme’s owner set, and says so', async () => {
    const cap = await gateway.call(airline.signer, 'POST', `/v1/programs/${airline.programId}/campaign-cap`, {
      body: { capNumerator: '5', capDenominator: '4' },
    });
    expect(cap.status).toBe(200);
    const first = await scheduled(airline, {
      name: 'Winter miles',
      multiplierNumerator: '4',
      multiplierDenominator: '3',
    });
    const second = await scheduled(airline, {
      name: 'Gold week',
      tier: null,
      multiplierNumerator: '6',
      multiplierDenominator: '5',
    });

    const member = await alliance.member({ coffee: 5_000n });
    const priced = await quote(member, 1_000n);
    // 4/3 × 6/5 = 8/5 would give 1,120 miles; held to 5/4: 875.
    expect(priced.creditPoints).toBe('875');
    expect(priced.modifiers.map((modifier) => modifier.kind)).toEqual([
      'programme_campaign',
      'programme_campaign',
      'campaign_cap',
    ]);
    expect(priced.modifiers.at(-1)).toEqual({
      kind: 'campaign_cap',
      cap: { numerator: '5', denominator: '4' },
      stackedMultiplier: { numerator: '5', denominator: '4' },
    });
    expect(priced.settlement.amountMinor).toBe('700');
    await end(airline, first.id);
    await end(airline, second.id);
  });

  it('refuses a campaign that would let a member go round the rates and gain, as it refuses such a rate', async () => {
    // 10 coffee → 8 books → 8 coffee: a 3/2 bonus on books bought with coffee makes it 12 coffee.
    const refused = await schedule(bookstore, {
      name: 'Reading month',
      sourceProgramId: coffee.programId,
      multiplierNumerator: '3',
      multiplierDenominator: '2',
    });
    expect(refused.status).toBe(422);
    const problem = (await refused.json()) as { code: string; errors: { field: string }[] };
    expect(problem.code).toBe('rate_arbitrage');
    expect(problem.errors[0]?.field).toBe('multiplier');

    // 5/4 brings the round trip back to exactly what it took: allowed, and then the cap is what
    // keeps a second campaign from tipping it over.
    const fair = await scheduled(bookstore, {
      name: 'Reading week',
      sourceProgramId: coffee.programId,
      multiplierNumerator: '5',
      multiplierDenominator: '4',
    });
    const tipping = await schedule(bookstore, {
      name: 'Reading weekend',
      multiplierNumerator: '11',
      multiplierDenominator: '10',
    });
    expect(((await tipping.json()) as { code: string }).code).toBe('rate_arbitrage');
    const lowered = await gateway.call(
      bookstore.signer,
      'POST',
      `/v1/programs/${bookstore.programId}/campaign-cap`,
      {
        body: { capNumerator: '5', capDenominator: '4' },
      },
    );
    expect(lowered.status).toBe(200);
    await scheduled(bookstore, {
      name: 'Reading weekend',
      multiplierNumerator: '11',
      multiplierDenominator: '10',
    });
    // Raising the cap again would reopen the cycle the second campaign now stacks into.
    const raised = await gateway.call(
      bookstore.signer,
      'POST',
      `/v1/programs/${bookstore.programId}/campaign-cap`,
      {
        body: { capNumerator: '2', capDenominator: '1' },
      },
    );
    expect(((await raised.json()) as { code: string }).code).toBe('rate_arbitrage');
    await end(bookstore, fair.id);

    // Ended, 'Reading week' still counts while a quote priced with it may be spent: with it, 10 coffee
    // still buys 10 books, so a bonus on coffee bought with books, which only its end seemed to make
    // room for, would let such a quote go round and gain.
    const reverse = await schedule(coffee, {
      name: 'Bookworm coffee',
      sourceProgramId: bookstore.programId,
      multiplierNumerator: '11',
      multiplierDenominator: '10',
    });
    expect(((await reverse.json()) as { code: string }).code).toBe('rate_arbitrage');
  });
});
