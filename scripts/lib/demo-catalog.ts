// The demo alliance's catalog: the cinema publishes ticket and popcorn coupons, the airline an
// amenity kit, the coffee chain a flat white coupon and a draw whose winners get one, and coffee
// beans can pay for the cinema's coupons (an agreement coffee → cinema).
// Made once, when the demo has no catalog yet; its items' ids are kept beside the alliance's.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { GatewayClient, Schemas } from '../../partner-kit/client/index.ts';
import type { DemoAlliance, DemoSlug } from './demo-alliance.ts';
import { demoClient, seeded } from './demo-client.ts';

export interface DemoCatalog {
  items: {
    slug: 'ticket' | 'popcorn' | 'kit' | 'flat-white' | 'coffee-draw';
    itemId: string;
    publisher: DemoSlug;
  }[];
}

function catalogFile(dataDir: string): string {
  return path.join(dataDir, 'demo', 'catalog.json');
}

export function readDemoCatalog(dataDir: string): DemoCatalog {
  const file = catalogFile(dataDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DemoCatalog) : { items: [] };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export async function seedDemoCatalog(input: {
  alliance: DemoAlliance;
  gatewayUrl: string;
  audience: string;
  dataDir: string;
}): Promise<DemoCatalog> {
  const known = readDemoCatalog(input.dataDir);
  if (known.items.length > 0) return known;
  const partner = (slug: DemoSlug) => {
    const found = input.alliance.partners.find((candidate) => candidate.slug === slug);
    if (!found) throw new Error(`demo catalog: no demo partner ${slug}`);
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

  // Coffee beans pay for the cinema's coupons: 10 beans for 8 stars (every cycle still loses points).
  const version = seeded(
    await client('coffee').POST('/v1/rate-agreements', {
      body: {
        sourceProgramId: partner('coffee').programId,
        targetProgramId: partner('cinema').programId,
        fromPoints: '10',
        toPoints: '8',
        feeBasisPoints: 0,
        feePayer: 'source_partner',
        sourcePointsMin: '1',
        sourcePointsMax: '100000',
        memberDailyCapSourcePoints: '20000',
        settlement: { amountMinor: '1', perTargetPoints: '1', currency: 'CNY' },
        effectiveFrom: new Date().toISOString(),
      },
    }),
    'proposing coffee → cinema',
  );
  seeded(
    await client('cinema').POST('/v1/rate-agreements/{agreementId}/versions/{version}/accept', {
      params: { path: { agreementId: version.agreementId, version: String(version.version) } },
    }),
    'accepting coffee → cinema',
  );

  const publish = async (
    slug: DemoCatalog['items'][number]['slug'],
    publisher: DemoSlug,
    item: DistributiveOmit<Schemas['PublishItem'], 'programId'>,
  ) => {
    const published = seeded(
      await client(publisher).POST('/v1/catalog/items', {
        body: { programId: partner(publisher).programId, ...item } as Schemas['PublishItem'],
      }),
      `publishing ${slug}`,
    );
    return { slug, publisher, itemId: published.id };
  };
  const catalog: DemoCatalog = {
    items: [
      await publish('ticket', 'cinema', {
        kind: 'coupon',
        title: 'Starlight 2D ticket',
        description: 'One 2D ticket, any session, any Starlight cinema',
        tags: ['movies', 'tickets'],
        pricePoints: '400',
        stock: '1000',
        perMemberLimit: 4,
        coupon: { validity: { days: 90 }, terms: 'Not valid on premiere nights', refundOnExpiry: true },
      }),
      await publish('popcorn', 'cinema', {
        kind: 'coupon',
        title: 'Popcorn combo',
        description: 'Large popcorn and a soft drink',
        tags: ['movies', 'snacks'],
        pricePoints: '120',
        stock: '5000',
        coupon: { validity: { days: 30 } },
      }),
      await publish('kit', 'airline', {
        kind: 'product',
        title: 'Skyway amenity kit',
        description: 'Eye mask, socks and a travel pouch, shipped to you',
        tags: ['travel'],
        pricePoints: '1500',
        stock: '200',
        product: { fulfilment: 'shipping' },
      }),
    ],
  };
  const flatWhite = await publish('flat-white', 'coffee', {
    kind: 'coupon',
    title: 'A flat white',
    description: 'Any size, any Harbour Coffee shop',
    tags: ['coffee'],
    pricePoints: '300',
    stock: '10000',
    coupon: { validity: { days: 30 } },
  });
  catalog.items.push(
    flatWhite,
    await publish('coffee-draw', 'coffee', {
      kind: 'draw',
      title: 'Win a flat white a day for a month',
      description: 'Three winners, drawn fairly: anyone can check the draw (npm run verify-draw)',
      tags: ['coffee', 'draws'],
      pricePoints: '50',
      stock: '100000',
      perMemberLimit: 10,
      draw: {
        winners: 3,
        prize: { description: 'A flat white coupon', couponItemId: flatWhite.itemId },
        closesAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      },
    }),
  );
  mkdirSync(path.dirname(catalogFile(input.dataDir)), { recursive: true });
  writeFileSync(catalogFile(input.dataDir), `${JSON.stringify(catalog, null, 2)}\n`);
  return catalog;
}
