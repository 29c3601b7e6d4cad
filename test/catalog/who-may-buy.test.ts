// Who may buy in the shared catalog: a member whose link consents to transfers only is refused at
// the price quote; a suspended publisher's items are neither quoted nor sold, even of a quote priced
// before the suspension. Nothing is taken from the member, nothing leaves the stock.
import { describe, expect, it } from 'vitest';
import { type AlliancePartner, createAlliance, type Member } from '../support/alliance.ts';
import {
  catalogStockLeft,
  placeCatalogOrder,
  priceCatalogQuote,
  publishCinemaTicket,
} from '../support/catalog-items.ts';
import { agreeRate } from '../support/exchange.ts';

const alliance = await createAlliance();
const { gateway, coffee, airline } = alliance;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const publish = (publisher: AlliancePartner) => publishCinemaTicket(gateway, publisher);
const priceQuote = (buyer: AlliancePartner, member: Member, itemId: string) =>
  priceCatalogQuote(gateway, buyer, member, itemId);
const order = (buyer: AlliancePartner, quoteId: string) => placeCatalogOrder(gateway, buyer, quoteId);
const stockLeft = (itemId: string) => catalogStockLeft(gateway, itemId);

describe('who may buy', () => {
  it('sells nothing to a member whose link does not consent to redemptions', async () => {
    const member = await alliance.member({ coffee: 1_000n }, { scopes: ['transfers'] });
    const item = await publish(airline);
    const quoted = await priceQuote(coffee, member, item.id);
    expect(quoted.status).toBe(422);
    expect(((await quoted.json()) as { code: string; errors: { field: string }[] }).errors).toEqual([
      expect.objectContaining({ field: 'memberId' }),
    ]);
    expect(await stockLeft(item.id)).toBe(10n);
  });

  it('sells nothing of a suspended publisher: neither a price quote nor an order of a quote priced before', async () => {
    // A publisher of its own, so that its suspension reaches no other test.
    const onboarded = await gateway.onboardPartner('Catalog Theatre', undefined, { ledger: 'hosted' });
    const theatre: AlliancePartner = {
      ...onboarded,
      programId: onboarded.partner.programs[0]?.id ?? '',
      server: null,
    };
    await agreeRate(gateway, coffee, theatre, {
      fromPoints: '10',
      toPoints: '10',
      sourcePointsMin: '1',
      sourcePointsMax: '1000000',
      memberDailyCapSourcePoints: '10000000',
    });
    const item = await publish(theatre);
    const member = await alliance.member({ coffee: 1_000n });
    const early = await priceQuote(coffee, member, item.id);
    expect(early.status).toBe(201);
    const suspended = await gateway.call(
      gateway.operator,
      'POST',
      `/v1/operator/partners/${theatre.partner.id}/suspend`,
    );
    expect(suspended.status).toBe(200);

    const refused = await order(coffee, ((await early.json()) as { id: string }).id);
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { code: string }).code).toBe('counterparty_suspended');
    // Programme look-ups are cached for a few seconds; a suspension reaches price quotes within that time.
    await sleep(5_100);
    const quoted = await priceQuote(coffee, member, item.id);
    expect(quoted.status).toBe(422);
    expect(((await quoted.json()) as { code: string }).code).toBe('counterparty_suspended');
    expect(await stockLeft(item.id)).toBe(10n);
    expect(await alliance.balance(coffee, member)).toBe(1_000n);
  });
});
