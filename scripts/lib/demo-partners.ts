// The demo alliance that `npm start` creates through the gateway's own signed API: a coffee chain,
// an airline and a cinema, each with a key pair kept under .data so that a restart reuses them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PartnerView } from '../../gateway/schemas/partners.ts';
import { loadOrCreateKeyPair } from '../../runtime/signing-keys.ts';
import type { SigningKeyPair } from '../../signing/keys.ts';
import type { SignedClient } from '../../signing/signed-client.ts';

export interface DemoPartner {
  slug: string;
  partnerId: string;
  name: string;
  programId: string;
  unitName: string;
  key: SigningKeyPair;
}

const demoPartners = [
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

export function demoRegistryFile(dataDir: string): string {
  return path.join(dataDir, 'demo', 'partners.json');
}

export function readDemoRegistry(dataDir: string): DemoPartner[] {
  const file = demoRegistryFile(dataDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DemoPartner[]) : [];
}

/** Creates the demo partners that do not exist yet in this database, and returns all of them. */
export async function seedDemoPartners(operator: SignedClient, dataDir: string): Promise<DemoPartner[]> {
  const known = new Map(readDemoRegistry(dataDir).map((partner) => [partner.slug, partner]));
  const seeded: DemoPartner[] = [];
  for (const spec of demoPartners) {
    const key = await loadOrCreateKeyPair(path.join(dataDir, 'keys', `partner-${spec.slug}.json`), 'ES256');
    const previous = known.get(spec.slug);
    if (
      previous &&
      (await operator.call({ method: 'GET', path: `/v1/operator/partners/${previous.partnerId}` })).status ===
        200
    ) {
      seeded.push(previous);
      continue;
    }
    const response = await operator.call({
      method: 'POST',
      path: '/v1/operator/partners',
      idempotencyKey: `demo-${spec.slug}-${key.kid}`,
      body: { name: spec.name, programs: [spec.program], keys: [key.publicJwk] },
    });
    if (response.status !== 201)
      throw new Error(`creating demo partner ${spec.name}: ${response.status} ${response.text}`);
    const partner = response.json<PartnerView>();
    const program = partner.programs[0];
    if (!program) throw new Error(`demo partner ${spec.name} came back without its programme`);
    seeded.push({
      slug: spec.slug,
      partnerId: partner.id,
      name: partner.name,
      programId: program.id,
      unitName: program.unitName,
      key,
    });
  }
  mkdirSync(path.dirname(demoRegistryFile(dataDir)), { recursive: true });
  writeFileSync(demoRegistryFile(dataDir), `${JSON.stringify(seeded, null, 2)}\n`, { mode: 0o600 });
  return seeded;
}
