// A small alliance for transfer tests: the gateway with a worker, two reference partners over real
// HTTP (coffee and airline), one hosted partner (bookstore), agreements both partners accepted,
// and a helper that enrols members with points.
import { randomUUID } from 'node:crypto';
import { afterAll, expect } from 'vitest';
import type { PartnerView } from '../../gateway/schemas/partners.ts';
import type { Fault } from '../../reference-partner/faults.ts';
import { type RunningReferencePartner, startReferencePartner } from '../../reference-partner/server.ts';
import { agreeRate } from './exchange.ts';
import {
  createTestGateway,
  type TestGateway,
  type TestGatewayOptions,
  testGatewayIssuer,
} from './gateway.ts';
import type { Signer } from './signer.ts';

export interface AlliancePartner {
  partner: PartnerView;
  signer: Signer;
  programId: string;
  server: RunningReferencePartner | null;
}

export interface Alliance {
  gateway: TestGateway;
  coffee: AlliancePartner;
  airline: AlliancePartner;
  bookstore: AlliancePartner;
  /**
   * Enrols a member linked to all three programmes, with these balances, consenting to transfers and
   * to redemptions (catalog orders, points payments) unless `scopes` says otherwise.
   */
  member(
    balances: { coffee?: bigint; airline?: bigint; bookstore?: bigint },
    options?: { scopes?: string[] },
  ): Promise<Member>;
  fault(partner: AlliancePartner, fault: Partial<Fault> & Pick<Fault, 'operation' | 'mode'>): void;
  balance(partner: AlliancePartner, member: Member): Promise<bigint>;
  transfer(
    from: AlliancePartner,
    to: AlliancePartner,
    member: Member,
    sourcePoints: bigint,
    idempotencyKey?: string,
  ): Promise<Response>;
  /** Waits until the transfer reaches a final status, and returns it. */
  settled(transferId: string): Promise<{
    status: string;
    failure: { code: string } | null;
    steps: { step: string; outcome: string }[];
  }>;
}

export interface Member {
  memberId: string;
  accounts: Record<'coffee' | 'airline' | 'bookstore', string>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function createAlliance(options: TestGatewayOptions = {}): Promise<Alliance> {
  const gateway = await createTestGateway({ worker: true, ...options });
  const suffix = randomUUID().slice(0, 8).replaceAll('-', '');

  async function httpPartner(name: string): Promise<AlliancePartner> {
    const server = await startReferencePartner({
      db: gateway.db,
      schema: `ref_${name.toLowerCase()}_${suffix}`,
      gatewayIssuer: testGatewayIssuer,
      gatewayPublicKeys: () => [gateway.gatewayKey.publicJwk],
    });
    afterAll(() => server.close());
    const { partner, signer } = await gateway.onboardPartner(name, undefined, {
      loyaltyApiUrl: server.url,
      webhookUrl: `${server.url}/webhooks`,
    });
    server.setPartnerId(partner.id);
    return { partner, signer, server, programId: partner.programs[0]?.id ?? '' };
  }

  const coffee = await httpPartner('Coffee');
  const airline = await httpPartner('Airline');
  const hosted = await gateway.onboardPartner('Bookstore', undefined, { ledger: 'hosted' });
  const bookstore: AlliancePartner = {
    ...hosted,
    server: null,
    programId: hosted.partner.programs[0]?.id ?? '',
  };

  const agree = (from: AlliancePartner, to: AlliancePartner, fromPoints: string, toPoints: string) =>
    agreeRate(gateway, from, to, {
      fromPoints,
      toPoints,
      sourcePointsMin: '1',
      sourcePointsMax: '1000000',
      memberDailyCapSourcePoints: '10000000',
    });
  // Ratios whose every cycle loses points: 10 coffee → 7 miles, 10 miles → 10 books, 10 books → 10 coffee.
  await agree(coffee, airline, '10', '7');
  await agree(airline, bookstore, '10', '10');
  await agree(bookstore, coffee, '10', '10');
  await agree(coffee, bookstore, '10', '8');

  const partners = { coffee, airline, bookstore };

  async function member(
    balances: { coffee?: bigint; airline?: bigint; bookstore?: bigint },
    options: { scopes?: string[] } = {},
  ): Promise<Member> {
    const accounts = {
      coffee: `c-${randomUUID()}`,
      airline: `a-${randomUUID()}`,
      bookstore: `b-${randomUUID()}`,
    };
    let memberId: string | null = null;
    for (const name of ['coffee', 'airline', 'bookstore'] as const) {
      const partner = partners[name];
      const response = await gateway.call(partner.signer, 'POST', '/v1/member-links', {
        body: {
          memberId,
          programId: partner.programId,
          accountRef: accounts[name],
          consent: {
            grantedAt: new Date().toISOString(),
            scopes: options.scopes ?? ['transfers', 'redemptions'],
            reference: `consent-${accounts[name]}`,
          },
        },
      });
      expect(response.status).toBe(201);
      memberId = ((await response.json()) as { memberId: string }).memberId;
      const points = balances[name] ?? 0n;
      if (partner.server) await partner.server.books.openAccount(accounts[name], points);
      else if (points > 0n) {
        const credited = await gateway.call(
          partner.signer,
          'POST',
          `/v1/programs/${partner.programId}/accounts/${accounts[name]}/credits`,
          {
            body: { points: String(points), reason: 'test seed' },
          },
        );
        expect(credited.status).toBe(201);
      }
    }
    return { memberId: memberId ?? '', accounts };
  }

  async function balance(partner: AlliancePartner, who: Member): Promise<bigint> {
    const name = (Object.keys(partners) as (keyof typeof partners)[]).find(
      (key) => partners[key] === partner,
    );
    if (!name) throw new Error('unknown partner');
    const accountRef = who.accounts[name];
    if (partner.server) return (await partner.server.books.balance(accountRef))?.availablePoints ?? 0n;
    const response = await gateway.call(
      partner.signer,
      'GET',
      `/v1/programs/${partner.programId}/accounts/${accountRef}`,
    );
    return BigInt(((await response.json()) as { availablePoints: string }).availablePoints);
  }

  return {
    gateway,
    coffee,
    airline,
    bookstore,
    member,
    balance,
    fault(partner, fault) {
      if (!partner.server) throw new Error('only reference partners take faults');
      partner.server.faults.add({ count: 1, delayMs: 0, code: 'refused', ...fault });
    },
    transfer(from, to, who, sourcePoints, idempotencyKey) {
      return gateway.call(from.signer, 'POST', '/v1/transfers', {
        body: {
          memberId: who.memberId,
          sourceProgramId: from.programId,
          targetProgramId: to.programId,
          sourcePoints: String(sourcePoints),
        },
        ...(idempotencyKey ? { idempotencyKey } : {}),
      });
    },
    async settled(transferId) {
      const partner = coffee;
      for (let attempt = 0; attempt < 300; attempt += 1) {
        const transfer = await gateway.db
          .selectFrom('transfers')
          .select(['status', 'requested_by'])
          .where('id', '=', transferId)
          .executeTakeFirst();
        if (transfer && ['completed', 'failed', 'needs_attention'].includes(transfer.status)) {
          const requester =
            [coffee, airline, bookstore].find(
              (candidate) => candidate.partner.id === transfer.requested_by,
            ) ?? partner;
          const response = await gateway.call(requester.signer, 'GET', `/v1/transfers/${transferId}`);
          return (await response.json()) as Awaited<ReturnType<Alliance['settled']>>;
        }
        await sleep(100);
      }
      throw new Error(`transfer ${transferId} did not settle in 30 s`);
    },
  };
}
