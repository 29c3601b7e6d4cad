// Cash agreement offers between a programme's owner and a merchant: a newer offer withdraws the one
// waiting, an offer older than the agreement in force cannot be accepted, and offers and acceptances
// of one pair made at once leave exactly one agreement in force.
import { describe, expect, it } from 'vitest';
import { newId } from '../../store/ids.ts';
import { createTestGateway } from '../support/gateway.ts';

const gateway = await createTestGateway();
const onboard = async (name: string) => {
  const onboarded = await gateway.onboardPartner(name, undefined, { ledger: 'hosted' });
  return { ...onboarded, programId: onboarded.partner.programs[0]?.id ?? '' };
};
type Partner = Awaited<ReturnType<typeof onboard>>;
const airline = await onboard('Offering Airline');
const bookstore = await onboard('Offered Bookstore');

async function offerCash(owner: Partner, merchant: Partner, amountMinor: string, perPoints: string) {
  const offered = await gateway.call(owner.signer, 'POST', '/v1/cash-agreements', {
    body: {
      programId: owner.programId,
      merchantId: merchant.partner.id,
      amountMinor,
      perPoints,
      currency: 'USD',
    },
  });
  expect(offered.status).toBe(201);
  return ((await offered.json()) as { id: string }).id;
}

const inForce = (owner: Partner, merchant: Partner) =>
  gateway.db
    .selectFrom('cash_agreements')
    .select('id')
    .where('program_id', '=', owner.programId)
    .where('merchant_id', '=', merchant.partner.id)
    .where('status', '=', 'accepted')
    .execute();

const readAgreement = async (reader: Partner, id: string) =>
  (await (await gateway.call(reader.signer, 'GET', `/v1/cash-agreements/${id}`)).json()) as {
    status: string;
    price: { amountMinor: string };
  };

describe('cash agreement offers', () => {
  it('an offer superseded by a newer one can no longer be accepted, nor end the newer agreement', async () => {
    // The airline offers the bookstore's shop 5 cents a mile, then thinks better of it: 2 cents.
    const dearer = await offerCash(airline, bookstore, '5', '1');
    const cheaper = await offerCash(airline, bookstore, '2', '1');
    expect((await readAgreement(bookstore, dearer)).status).toBe('ended');
    const accepted = await gateway.call(bookstore.signer, 'POST', `/v1/cash-agreements/${cheaper}/accept`);
    expect(accepted.status).toBe(200);

    const stale = await gateway.call(bookstore.signer, 'POST', `/v1/cash-agreements/${dearer}/accept`);
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { code: string }).code).toBe('cash_agreement_not_offered');
    expect((await readAgreement(bookstore, cheaper)).status).toBe('accepted');
    expect((await readAgreement(bookstore, dearer)).status).toBe('ended');
  });

  it('of two offers made at once, one is left waiting; of two accepted at once, one is in force', async () => {
    const offers = await Promise.all([
      offerCash(airline, bookstore, '3', '1'),
      offerCash(airline, bookstore, '4', '1'),
    ]);
    const statuses = await Promise.all(offers.map(async (id) => (await readAgreement(bookstore, id)).status));
    expect(statuses.sort()).toEqual(['ended', 'offered']);
    const accepts = await Promise.all(
      offers.map(
        async (id) =>
          (await gateway.call(bookstore.signer, 'POST', `/v1/cash-agreements/${id}/accept`)).status,
      ),
    );
    expect(accepts.sort()).toEqual([200, 409]);
    expect(await inForce(airline, bookstore)).toHaveLength(1);
  });

  it('an offer left waiting from before, older than the agreement in force, is refused at once or in a race', async () => {
    // Two offers left waiting side by side (as they could be before a newer offer withdrew the older).
    const now = Date.now();
    const [older, newer] = [now, now + 1].map((at) => ({
      id: newId('cag', at),
      program_id: airline.programId,
      owner_id: airline.partner.id,
      merchant_id: bookstore.partner.id,
      amount_minor: 1n,
      per_points: 1n,
      currency: 'USD',
      status: 'offered' as const,
    }));
    if (!older || !newer) throw new Error('two offers');
    await gateway.db.insertInto('cash_agreements').values([older, newer]).execute();
    const accepts = await Promise.all(
      [older, newer].map(
        async ({ id }) =>
          (await gateway.call(bookstore.signer, 'POST', `/v1/cash-agreements/${id}/accept`)).status,
      ),
    );
    // Whichever went first, the newer offer is the one in force, and nothing failed.
    expect(accepts[1]).toBe(200);
    expect([200, 409]).toContain(accepts[0]);
    expect(await inForce(airline, bookstore)).toEqual([{ id: newer.id }]);
    const again = await gateway.call(bookstore.signer, 'POST', `/v1/cash-agreements/${older.id}/accept`);
    expect(again.status).toBe(409);
    expect(await inForce(airline, bookstore)).toEqual([{ id: newer.id }]);
  });
});
