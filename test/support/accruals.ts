// What the accrual tests share: the earn agreements coffee (the merchant) accepts from the airline and
// the bookstore, and the calls coffee makes (accrue, refund, read), over one alliance.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Alliance, AlliancePartner, Member } from './alliance.ts';
import type { TestGateway } from './gateway.ts';

export interface Accrual {
  id: string;
  status: string;
  points: string;
  amountOwedMinor: string;
  tier: string | null;
  failure: { code: string } | null;
  reversals: Refund[];
  steps: { step: string; outcome: string }[];
}

export interface Refund {
  id: string;
  status: string;
  refundAmountMinor: string;
  points: string;
  takenPoints: string | null;
  shortfallPoints: string | null;
  reversedAmountMinor: string | null;
}

/** Agrees the earn rates, then the merchant's calls; each checks what it must. */
export async function accrualKit(alliance: Alliance) {
  const { gateway, coffee, airline, bookstore } = alliance;
  /** The programme's owner proposes, the merchant (coffee) accepts. */
  async function agreeEarning(owner: AlliancePartner, terms: Record<string, unknown>) {
    const proposed = await gateway.call(owner.signer, 'POST', '/v1/earn-agreements', {
      body: {
        merchantPartnerId: coffee.partner.id,
        programId: owner.programId,
        purchaseCurrency: 'CNY',
        effectiveFrom: new Date(Date.now() - 60_000).toISOString(),
        ...terms,
      },
    });
    expect(proposed.status).toBe(201);
    const version = (await proposed.json()) as { agreementId: string; version: number; status: string };
    expect(version.status).toBe('proposed');
    // Only the merchant accepts.
    const byOwner = await gateway.call(
      owner.signer,
      'POST',
      `/v1/earn-agreements/${version.agreementId}/versions/${version.version}/accept`,
    );
    expect(byOwner.status).toBe(403);
    const accepted = await gateway.call(
      coffee.signer,
      'POST',
      `/v1/earn-agreements/${version.agreementId}/versions/${version.version}/accept`,
    );
    expect(accepted.status).toBe(200);
    expect(((await accepted.json()) as { status: string }).status).toBe('accepted');
    return version;
  }

  // 1 mile per 10.00 CNY, gold members half as much again; coffee pays the airline 0.03 CNY a mile.
  await agreeEarning(airline, {
    rate: { points: '1', perAmountMinor: '1000' },
    tierBonuses: [{ tier: 'gold', multiplierNumerator: '3', multiplierDenominator: '2' }],
    price: { amountMinor: '3', perPoints: '1', currency: 'CNY' },
  });
  // 1 book point per 1.00 CNY; coffee pays the bookstore 0.01 CNY a point.
  await agreeEarning(bookstore, {
    rate: { points: '1', perAmountMinor: '100' },
    price: { amountMinor: '1', perPoints: '1', currency: 'CNY' },
  });

  function accrue(
    member: Member,
    to: AlliancePartner,
    amountMinor: bigint,
    options: { orderReference?: string; idempotencyKey?: string; via?: TestGateway } = {},
  ) {
    return (options.via ?? gateway).call(coffee.signer, 'POST', '/v1/accruals', {
      body: {
        memberId: member.memberId,
        programId: to.programId,
        purchase: { amountMinor: String(amountMinor), currency: 'CNY' },
        orderReference: options.orderReference ?? `order-${randomUUID()}`,
      },
      ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
    });
  }

  async function accrued(response: Response): Promise<Accrual> {
    expect(response.status).toBe(201);
    const accrual = (await response.json()) as Accrual;
    expect(accrual.status).toBe('completed');
    return accrual;
  }

  function refund(accrualId: string, body: { refundAmountMinor?: string } = {}) {
    return gateway.call(coffee.signer, 'POST', `/v1/accruals/${accrualId}/reversals`, {
      body: { reason: 'purchase refunded', ...body },
    });
  }

  async function refunded(response: Response): Promise<Refund> {
    expect(response.status).toBe(201);
    const reversal = (await response.json()) as Refund;
    expect(reversal.status).toBe('completed');
    return reversal;
  }

  async function obligationsOf(sourceId: string) {
    return gateway.db
      .selectFrom('settlement_obligations')
      .select(['kind', 'debtor_partner_id', 'creditor_partner_id', 'amount_minor', 'currency'])
      .where('source_id', '=', sourceId)
      .execute();
  }

  async function read(accrualId: string, by: AlliancePartner = coffee): Promise<Accrual> {
    const response = await gateway.call(by.signer, 'GET', `/v1/accruals/${accrualId}`);
    expect(response.status).toBe(200);
    return (await response.json()) as Accrual;
  }

  return { accrue, accrued, refund, refunded, obligationsOf, read };
}
