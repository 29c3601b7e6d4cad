// The demo alliance that `npm start` creates through the gateway's own signed API: Harbour Coffee
// (points kept in the gateway's hosted ledger), Skyway Airlines and Starlight Cinema (each with a
// reference partner system of its own), accepted rate agreements, and a demo member linked to all
// three. Keys and ids are kept under .data, so a restart reuses them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { GatewayClient, Schemas } from '../../partner-kit/client/index.ts';
import { loadOrCreateKeyPair } from '../../runtime/signing-keys.ts';
import type { SigningKeyPair } from '../../signing/keys.ts';
import { demoClient, seeded } from './demo-client.ts';

export type DemoSlug = 'coffee' | 'airline' | 'cinema';

export interface DemoPartner {
  slug: DemoSlug;
  partnerId: string;
  name: string;
  programId: string;
  unitName: string;
  key: SigningKeyPair;
  /** The reference partner system's URL; null for the hosted programme. */
  systemUrl: string | null;
}

export interface DemoAlliance {
  partners: DemoPartner[];
  member: { memberId: string; accounts: Record<DemoSlug, string> } | null;
}

const specs = [
  {
    slug: 'coffee',
    name: 'Harbour Coffee',
    program: { name: 'Harbour Beans', unitName: 'beans', ledger: 'hosted' },
  },
  {
    slug: 'airline',
    name: 'Skyway Airlines',
    program: { name: 'Skyway Miles', unitName: 'miles', ledger: 'partner_system' },
  },
  {
    slug: 'cinema',
    name: 'Starlight Cinema',
    program: { name: 'Starlight Stars', unitName: 'stars', ledger: 'partner_system' },
  },
] as const;

/** Rates whose every cycle loses points (the gateway refuses any other). */
const rates: [DemoSlug, DemoSlug, string, string][] = [
  ['coffee', 'airline', '10', '7'],
  ['airline', 'coffee', '10', '12'],
  ['airline', 'cinema', '10', '5'],
  ['cinema', 'coffee', '1', '1'],
];

const startingPoints: Record<DemoSlug, bigint> = { coffee: 5_000n, airline: 2_000n, cinema: 0n };

function registryFile(dataDir: string): string {
  return path.join(dataDir, 'demo', 'alliance.json');
}

export function readDemoAlliance(dataDir: string): DemoAlliance {
  const file = registryFile(dataDir);
  return existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as DemoAlliance)
    : { partners: [], member: null };
}

function save(dataDir: string, alliance: DemoAlliance): void {
  mkdirSync(path.dirname(registryFile(dataDir)), { recursive: true });
  writeFileSync(registryFile(dataDir), `${JSON.stringify(alliance, null, 2)}\n`, { mode: 0o600 });
}

export interface DemoSeedInput {
  operator: GatewayClient;
  gatewayUrl: string;
  audience: string;
  dataDir: string;
  /** Where each demo partner's reference system answers, and how to open accounts in it. */
  systems: Record<
    'airline' | 'cinema',
    { url: string; openAccount(accountRef: string, points: bigint): Promise<void> }
  >;
  /** Where the hosted coffee chain takes its webhooks (a demo inbox); null: it takes none. */
  coffeeWebhookUrl?: string | null;
}

/** Creates what is missing of the demo alliance in this database, and returns all of it. */
export async function seedDemoAlliance(input: DemoSeedInput): Promise<DemoAlliance> {
  const previous = readDemoAlliance(input.dataDir);
  const partners: DemoPartner[] = [];
  for (const spec of specs) {
    const key = await loadOrCreateKeyPair(
      path.join(input.dataDir, 'keys', `partner-${spec.slug}.json`),
      'ES256',
    );
    const systemUrl = spec.slug === 'coffee' ? null : input.systems[spec.slug].url;
    const known = previous.partners.find((partner) => partner.slug === spec.slug);
    if (
      known &&
      (
        await input.operator.GET('/v1/operator/partners/{partnerId}', {
          params: { path: { partnerId: known.partnerId } },
        })
      ).response.status === 200
    ) {
      partners.push({ ...known, systemUrl });
      continue;
    }
    const partner = seeded(
      await input.operator.POST('/v1/operator/partners', {
        params: { header: { 'idempotency-key': `demo-${spec.slug}-${key.kid}` } },
        body: {
          name: spec.name,
          programs: [spec.program],
          keys: [key.publicJwk as Schemas['CreatePartner']['keys'][number]],
          loyaltyApiUrl: systemUrl,
          webhookUrl: systemUrl ? `${systemUrl}/webhooks` : (input.coffeeWebhookUrl ?? null),
        },
      }),
      `creating ${spec.name}`,
    );
    const program = partner.programs[0];
    if (!program) throw new Error(`demo: ${spec.name} came back without its programme`);
    partners.push({
      slug: spec.slug,
      partnerId: partner.id,
      name: partner.name,
      programId: program.id,
      unitName: program.unitName,
      key,
      systemUrl,
    });
  }
  const alliance: DemoAlliance = { partners, member: previous.member };
  const fresh = partners.some(
    (partner) => !previous.partners.find((known) => known.partnerId === partner.partnerId),
  );
  if (fresh || !alliance.member) {
    const gateway = { url: input.gatewayUrl, audience: input.audience };
    const clients = Object.fromEntries(
      partners.map((partner) => [partner.slug, demoClient(partner.partnerId, partner.key, gateway)]),
    ) as Record<DemoSlug, GatewayClient>;
    const bySlug = (slug: DemoSlug) => partners.find((partner) => partner.slug === slug) as DemoPartner;
    for (const [from, to, fromPoints, toPoints] of rates) {
      const version = seeded(
        await clients[from].POST('/v1/rate-agreements', {
          body: {
            sourceProgramId: bySlug(from).programId,
            targetProgramId: bySlug(to).programId,
            fromPoints,
            toPoints,
            feeBasisPoints: 100,
            feePayer: 'source_partner',
            sourcePointsMin: '100',
            sourcePointsMax: '100000',
            memberDailyCapSourcePoints: '20000',
            settlement: { amountMinor: '1', perTargetPoints: '1', currency: 'CNY' },
            effectiveFrom: new Date().toISOString(),
          },
        }),
        `proposing ${from} → ${to}`,
      );
      seeded(
        await clients[to].POST('/v1/rate-agreements/{agreementId}/versions/{version}/accept', {
          params: { path: { agreementId: version.agreementId, version: String(version.version) } },
        }),
        `accepting ${from} → ${to}`,
      );
    }
    let memberId: string | null = null;
    const accounts = {
      coffee: 'mei-coffee-0001',
      airline: 'SKY-88001',
      cinema: 'STAR-5501',
    } satisfies Record<DemoSlug, string>;
    for (const slug of ['coffee', 'airline', 'cinema'] as const) {
      const linked: Schemas['MemberLink'] = seeded(
        await clients[slug].POST('/v1/member-links', {
          body: {
            memberId,
            programId: bySlug(slug).programId,
            accountRef: accounts[slug],
            tier: slug === 'airline' ? 'gold' : null,
            consent: {
              grantedAt: new Date().toISOString(),
              scopes: ['transfers', 'redemptions'],
              reference: `demo consent ${slug}`,
            },
          },
        }),
        `linking the demo member at ${slug}`,
      );
      memberId = linked.memberId;
      if (slug === 'coffee') {
        seeded(
          await clients.coffee.POST('/v1/programs/{programId}/accounts/{accountRef}/credits', {
            params: { path: { programId: bySlug('coffee').programId, accountRef: accounts.coffee } },
            body: { points: String(startingPoints.coffee), reason: 'demo: beans earned' },
          }),
          'crediting demo beans',
        );
      } else {
        await input.systems[slug].openAccount(accounts[slug], startingPoints[slug]);
      }
    }
    alliance.member = { memberId: memberId ?? '', accounts };
  }
  save(input.dataDir, alliance);
  return alliance;
}
