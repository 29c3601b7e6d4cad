// The demo alliance's points life: cinema purchases earn Skyway miles (an earn agreement airline →
// cinema), Harbour Coffee's checkout takes miles as cash (a cash agreement airline → coffee), and
// Harbour Beans expire a month after they are earned, with reminders 31 and 7 days ahead; the demo
// member gets welcome beans under that rule, so the next expiry run sends a points.expiring reminder
// to coffee's webhook inbox (startDemoWebhookInbox). Made once; its ids are kept beside the alliance's.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { GatewayClient } from '../../partner-kit/client/index.ts';
import type { DemoAlliance, DemoSlug } from './demo-alliance.ts';
import { demoClient, seeded } from './demo-client.ts';

export interface DemoPointsLife {
  earnAgreementId: string;
  cashAgreementId: string;
  expiry: { rule: { kind: 'months_after_earning'; months: number }; reminderDaysAhead: number[] };
  welcomeBeans: { points: string; expiresAt: string | null };
}

export const demoCoffeeInboxPort = 4103;
const welcomePoints = '2000';

function pointsLifeFile(dataDir: string): string {
  return path.join(dataDir, 'demo', 'points-life.json');
}

export function readDemoPointsLife(dataDir: string): DemoPointsLife | null {
  const file = pointsLifeFile(dataDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DemoPointsLife) : null;
}

/**
 * Coffee is hosted, so it has no system of its own to receive webhooks: this inbox keeps what the
 * gateway posts to coffee's webhook URL (not verified: a demo mailbox) and lists it at
 * GET /_control/webhooks, as the reference partners do.
 */
export async function startDemoWebhookInbox(
  port = demoCoffeeInboxPort,
): Promise<{ url: string; close(): Promise<void> }> {
  const received: unknown[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/webhooks') {
        try {
          received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          response.writeHead(400).end();
          return;
        }
        response.writeHead(204).end();
      } else if (request.method === 'GET' && request.url === '/_control/webhooks') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ items: received }));
      } else {
        response.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function seedDemoPointsLife(input: {
  alliance: DemoAlliance;
  gatewayUrl: string;
  audience: string;
  dataDir: string;
}): Promise<DemoPointsLife | null> {
  const known = readDemoPointsLife(input.dataDir);
  const member = input.alliance.member;
  if (known || !member) return known;
  const partner = (slug: DemoSlug) => {
    const found = input.alliance.partners.find((candidate) => candidate.slug === slug);
    if (!found) throw new Error(`demo points life: no demo partner ${slug}`);
    return found;
  };
  const clients: Partial<Record<DemoSlug, GatewayClient>> = {};
  const client = (slug: DemoSlug) => {
    clients[slug] ??= demoClient(partner(slug).partnerId, partner(slug).key, {
      url: input.gatewayUrl,
      audience: input.audience,
    });
    return clients[slug];
  };
  // Cinema purchases earn miles: 1 mile per 10.00 CNY (gold members ×1.5); the cinema pays the
  // airline 0.03 CNY a mile. The airline proposes (it prices its own miles), the cinema accepts.
  const version = seeded(
    await client('airline').POST('/v1/earn-agreements', {
      body: {
        merchantPartnerId: partner('cinema').partnerId,
        programId: partner('airline').programId,
        purchaseCurrency: 'CNY',
        rate: { points: '1', perAmountMinor: '1000' },
        tierBonuses: [{ tier: 'gold', multiplierNumerator: '3', multiplierDenominator: '2' }],
        price: { amountMinor: '3', perPoints: '1', currency: 'CNY' },
        effectiveFrom: new Date().toISOString(),
      },
    }),
    'proposing the earn agreement airline → cinema',
  );
  seeded(
    await client('cinema').POST('/v1/earn-agreements/{agreementId}/versions/{version}/accept', {
      params: { path: { agreementId: version.agreementId, version: String(version.version) } },
    }),
    'accepting the earn agreement airline → cinema',
  );

  // Coffee's checkout takes miles: a mile is worth 0.05 CNY. The airline offers, coffee accepts.
  const cash = seeded(
    await client('airline').POST('/v1/cash-agreements', {
      body: {
        programId: partner('airline').programId,
        merchantId: partner('coffee').partnerId,
        amountMinor: '5',
        perPoints: '1',
        currency: 'CNY',
      },
    }),
    'offering the cash agreement airline → coffee',
  );
  seeded(
    await client('coffee').POST('/v1/cash-agreements/{agreementId}/accept', {
      params: { path: { agreementId: cash.id } },
    }),
    'accepting the cash agreement airline → coffee',
  );

  // Paying with miles needs the member's consent to redemptions at the airline. A link's consent
  // cannot be changed in place, so a link made without it is revoked and made again.
  const links = seeded(
    await client('airline').GET('/v1/members/{memberId}/links', {
      params: { path: { memberId: member.memberId } },
    }),
    "reading the member's airline link",
  );
  const airlineLink = links.items.find(
    (link) => link.programId === partner('airline').programId && link.revokedAt === null,
  );
  if (airlineLink && !airlineLink.consent.scopes.includes('redemptions')) {
    seeded(
      await client('airline').POST('/v1/member-links/{linkId}/revoke', {
        params: { path: { linkId: airlineLink.id } },
        body: { reason: 'demo: consent extended to redemptions' },
      }),
      "revoking the member's airline link",
    );
    seeded(
      await client('airline').POST('/v1/member-links', {
        body: {
          memberId: member.memberId,
          programId: partner('airline').programId,
          accountRef: member.accounts.airline,
          tier: airlineLink.tier,
          consent: {
            grantedAt: new Date().toISOString(),
            scopes: ['transfers', 'redemptions'],
            reference: 'demo consent airline',
          },
        },
      }),
      "linking the member's airline account again",
    );
  }

  // Beans expire a month after they are earned; reminders go out 31 and 7 days ahead (31: a
  // month is at most 31 days, so the first reminder of a fresh lot is due at once, for the demo).
  const expiry = {
    rule: { kind: 'months_after_earning' as const, months: 1 },
    reminderDaysAhead: [31, 7],
  };
  seeded(
    await client('coffee').POST('/v1/programs/{programId}/points-expiry', {
      params: { path: { programId: partner('coffee').programId } },
      body: expiry,
    }),
    "setting the coffee programme's expiry",
  );
  // The gateway's processes remember a programme's rule for a few seconds: credit after that.
  await new Promise((resolve) => setTimeout(resolve, 6_000));
  // The ledger spends the soonest-expiring beans first, so the README's earlier demos (a 500-bean
  // transfer, twice on the first day, and a 500-bean ticket) eat into this lot: it outlasts them.
  const credited = seeded(
    await client('coffee').POST('/v1/programs/{programId}/accounts/{accountRef}/credits', {
      params: { path: { programId: partner('coffee').programId, accountRef: member.accounts.coffee } },
      body: { points: welcomePoints, reason: 'demo: welcome beans' },
    }),
    'crediting welcome beans',
  );
  const expiring = credited.expiryProfile?.find((portion) => portion.expiresAt !== null);

  const life: DemoPointsLife = {
    earnAgreementId: version.agreementId,
    cashAgreementId: cash.id,
    expiry,
    welcomeBeans: { points: welcomePoints, expiresAt: expiring?.expiresAt ?? null },
  };
  mkdirSync(path.dirname(pointsLifeFile(input.dataDir)), { recursive: true });
  writeFileSync(pointsLifeFile(input.dataDir), `${JSON.stringify(life, null, 2)}\n`);
  return life;
}
