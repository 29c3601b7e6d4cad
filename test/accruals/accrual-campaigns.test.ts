// Campaigns on accruals: the earning programme runs a double-points day (here for its "vip" tier)
// and members earn more at partner merchants while it runs. Campaigns stack on the earn agreement's
// tier bonus, never past the programme's cap; the accrual shows which applied; the merchant pays
// for the agreed points only, the programme for its campaign. Real Temporal, PostgreSQL and HTTP.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkLedger, readBalance } from '../../store/hosted-ledger/reports.ts';
import { createAlliance } from '../support/alliance.ts';

const alliance = await createAlliance();
const { gateway, coffee, bookstore } = alliance;
const minute = 60_000;

// 1 book point per 1.00 CNY; coffee (the merchant) pays the bookstore 0.01 CNY a point.
const proposed = await gateway.call(bookstore.signer, 'POST', '/v1/earn-agreements', {
  body: {
    merchantPartnerId: coffee.partner.id,
    programId: bookstore.programId,
    purchaseCurrency: 'CNY',
    rate: { points: '1', perAmountMinor: '100' },
    price: { amountMinor: '1', perPoints: '1', currency: 'CNY' },
    effectiveFrom: new Date(Date.now() - minute).toISOString(),
  },
});
expect(proposed.status).toBe(201);
const version = (await proposed.json()) as { agreementId: string; version: number };
const accepted = await gateway.call(
  coffee.signer,
  'POST',
  `/v1/earn-agreements/${version.agreementId}/versions/${version.version}/accept`,
);
expect(accepted.status).toBe(200);

function schedule(body: Record<string, unknown>) {
  return gateway.call(bookstore.signer, 'POST', '/v1/campaigns', {
    body: {
      programId: bookstore.programId,
      appliesTo: 'accruals',
      startsAt: new Date(Date.now() - minute).toISOString(),
      endsAt: new Date(Date.now() + 60 * minute).toISOString(),
      ...body,
    },
  });
}

/** A member whose bookstore link carries `tier`. */
async function memberWithTier(tier: string | null): Promise<{ memberId: string; accountRef: string }> {
  const accountRef = `b-${randomUUID()}`;
  const linked = await gateway.call(bookstore.signer, 'POST', '/v1/member-links', {
    body: {
      memberId: null,
      programId: bookstore.programId,
      accountRef,
      tier,
      consent: { grantedAt: new Date().toISOString(), scopes: ['transfers'], reference: 'tier' },
    },
  });
  expect(linked.status).toBe(201);
  return { memberId: ((await linked.json()) as { memberId: string }).memberId, accountRef };
}

interface Accrual {
  id: string;
  status: string;
  points: string;
  amountOwedMinor: string;
  modifiers: Record<string, unknown>[];
}

async function accrue(member: { memberId: string }, amountMinor: bigint): Promise<Accrual> {
  const response = await gateway.call(coffee.signer, 'POST', '/v1/accruals', {
    body: {
      memberId: member.memberId,
      programId: bookstore.programId,
      purchase: { amountMinor: String(amountMinor), currency: 'CNY' },
      orderReference: `order-${randomUUID()}`,
    },
  });
  expect(response.status).toBe(201);
  const accrual = (await response.json()) as Accrual;
  expect(accrual.status).toBe('completed');
  return accrual;
}

describe('campaigns on accruals', () => {
  it('stacks the campaigns running for the member, holds them to the cap, and bills the merchant the agreed points only', async () => {
    const double = await schedule({
      name: 'VIP double points',
      tier: 'vip',
      multiplierNumerator: '2',
      multiplierDenominator: '1',
    });
    expect(double.status).toBe(201);
    const doubleId = ((await double.json()) as { id: string; appliesTo: string }).id;
    const half = await schedule({
      name: 'VIP weekend',
      tier: 'vip',
      multiplierNumerator: '3',
      multiplierDenominator: '2',
    });
    expect(half.status).toBe(201);

    const vip = await memberWithTier('vip');
    // 100.00 CNY: 100 agreed points; 2 × 3/2 = 3 held to the default cap of 2: 200 points.
    const accrual = await accrue(vip, 10_000n);
    expect(accrual).toMatchObject({ points: '200', amountOwedMinor: '100' });
    expect(accrual.modifiers).toEqual([
      expect.objectContaining({
        kind: 'programme_campaign',
        campaignId: doubleId,
        name: 'VIP double points',
      }),
      expect.objectContaining({ kind: 'programme_campaign', name: 'VIP weekend' }),
      {
        kind: 'campaign_cap',
        cap: { numerator: '2', denominator: '1' },
        stackedMultiplier: { numerator: '2', denominator: '1' },
      },
    ]);
    expect((await readBalance(gateway.db, bookstore.programId, vip.accountRef))?.availablePoints).toBe(200n);
    const owed = await gateway.db
      .selectFrom('settlement_obligations')
      .select(['debtor_partner_id', 'creditor_partner_id', 'amount_minor'])
      .where('source_id', '=', accrual.id)
      .execute();
    expect(owed).toEqual([
      { debtor_partner_id: coffee.partner.id, creditor_partner_id: bookstore.partner.id, amount_minor: 100n },
    ]);

    // A member of no tier earns the agreed points and sees no modifier.
    const plain = await accrue(await memberWithTier(null), 10_000n);
    expect(plain).toMatchObject({ points: '100', amountOwedMinor: '100', modifiers: [] });

    // A refund takes back every point, the campaign's too, and gives the merchant back what it paid.
    const refund = await gateway.call(coffee.signer, 'POST', `/v1/accruals/${accrual.id}/reversals`, {
      body: { reason: 'purchase refunded' },
    });
    expect(refund.status).toBe(201);
    expect(await refund.json()).toMatchObject({
      status: 'completed',
      takenPoints: '200',
      reversedAmountMinor: '100',
    });
    expect(await checkLedger(gateway.db)).toEqual({ entriesSum: 0n, accountsOutOfBalance: [] });

    // Ended campaigns stop applying at once.
    const ended = await gateway.call(bookstore.signer, 'POST', `/v1/campaigns/${doubleId}/end`);
    expect(ended.status).toBe(200);
    const after = await accrue(vip, 10_000n);
    expect(after).toMatchObject({ points: '150', amountOwedMinor: '100' });
  });

  it('refuses an accrual campaign scoped to a source programme, naming the field', async () => {
    const response = await schedule({
      name: 'Nonsense',
      sourceProgramId: coffee.programId,
      multiplierNumerator: '2',
      multiplierDenominator: '1',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(await response.json())).toContain('sourceProgramId');
  });
});
