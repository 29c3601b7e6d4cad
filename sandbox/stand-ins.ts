// The stand-in brands of the sandbox alliance: each a reference partner system (books in a schema
// of its own in the sandbox database, fault switches) onboarded once through the sandbox's operator
// API. Their fault switches are what a sandbox partner arms through /v1/sandbox/faults, each fault
// for that partner's members alone (their accounts at a stand-in are named after the partner).
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import {
  type SandboxFault,
  type SandboxStandInSlug,
  sandboxFaultOperations,
  sandboxStandInBrands,
} from '../domain/sandbox.ts';
import type { PartnerView } from '../gateway/schemas/partners.ts';
import { type RunningReferencePartner, startReferencePartner } from '../reference-partner/server.ts';
import type { SandboxFaultSwitches, SandboxStandIn } from '../services/sandbox.ts';
import type { SigningKeyPair } from '../signing/keys.ts';
import type { SignedClient } from '../signing/signed-client.ts';
import { findStandIns, insertStandIn } from './registry.ts';
import { expectAnswer } from './signed-calls.ts';

export type StandInSystems = Record<SandboxStandInSlug, RunningReferencePartner>;

/** A sandbox partner's member's account at every stand-in: named after the partner, so its faults find it. */
export function standInAccountRef(partnerId: string, accountRef: string): string {
  return `${standInAccountPrefix(partnerId)}${accountRef}`;
}

function standInAccountPrefix(partnerId: string): string {
  return `${partnerId}-`;
}

export async function startStandInSystems(options: {
  // biome-ignore lint/suspicious/noExplicitAny: the reference partners' schemas are their own.
  db: Kysely<any>;
  /** The sandbox gateway's audience, which is the issuer it signs its calls as. */
  gatewayIssuer: string;
  gatewayPublicKeys: () => readonly JWK[];
  ports: Record<SandboxStandInSlug, number>;
}): Promise<StandInSystems> {
  const systems: Partial<StandInSystems> = {};
  for (const brand of sandboxStandInBrands) {
    systems[brand.slug] = await startReferencePartner({
      db: options.db,
      schema: `stand_in_${brand.slug}`,
      gatewayIssuer: options.gatewayIssuer,
      gatewayPublicKeys: options.gatewayPublicKeys,
      port: options.ports[brand.slug],
    });
  }
  return systems as StandInSystems;
}

/**
 * Onboards the stand-ins the sandbox alliance lacks, and makes sure each known one accepts the key
 * this process signs its requests with (the key files may be newer than the database).
 */
export async function seedStandIns(options: {
  // biome-ignore lint/suspicious/noExplicitAny: the registry's schema is its own.
  db: Kysely<any>;
  operator: SignedClient;
  systems: StandInSystems;
  keys: Record<SandboxStandInSlug, SigningKeyPair>;
}): Promise<SandboxStandIn[]> {
  const known = await findStandIns(options.db);
  const standIns: SandboxStandIn[] = [];
  for (const brand of sandboxStandInBrands) {
    const key = options.keys[brand.slug];
    const system = options.systems[brand.slug];
    const record = known.find((candidate) => candidate.slug === brand.slug);
    let partnerId = record?.partnerId;
    let programId = record?.programId;
    if (partnerId) {
      await expectAnswer(
        options.operator,
        {
          method: 'POST',
          path: `/v1/operator/partners/${partnerId}/keys`,
          idempotencyKey: `sandbox-stand-in-key:${key.kid}`,
          body: { jwk: key.publicJwk },
        },
        [201],
        ['partner_key_exists'],
      );
    } else {
      const created = await expectAnswer(
        options.operator,
        {
          method: 'POST',
          path: '/v1/operator/partners',
          idempotencyKey: `sandbox-stand-in:${brand.slug}`,
          body: {
            name: brand.name,
            programs: [{ name: brand.programName, unitName: brand.unitName, ledger: 'partner_system' }],
            keys: [key.publicJwk],
            loyaltyApiUrl: system.url,
            webhookUrl: `${system.url}/webhooks`,
          },
        },
        [201],
      );
      const partner = created.json<PartnerView>();
      partnerId = partner.id;
      programId = partner.programs[0]?.id;
      if (!programId) throw new Error(`sandbox: ${brand.name} came back without its programme`);
      await insertStandIn(options.db, { slug: brand.slug, partnerId, programId });
    }
    system.setPartnerId(partnerId);
    standIns.push({
      slug: brand.slug,
      name: brand.name,
      partnerId,
      programId: programId ?? '',
      unitName: brand.unitName,
    });
  }
  return standIns;
}

const sandboxOperations: ReadonlySet<string> = new Set(sandboxFaultOperations);

/** The stand-ins' fault plans as the sandbox gateway's routes reach them, each partner's its own. */
export function standInFaultSwitches(
  systems: StandInSystems,
  standIns: () => readonly SandboxStandIn[],
): SandboxFaultSwitches {
  return {
    standIns,
    arm: (partnerId, slug, fault) =>
      systems[slug].faults.add({ ...fault, accountRefPrefix: standInAccountPrefix(partnerId) }),
    pending: (partnerId, slug) =>
      systems[slug].faults
        .pending()
        .filter(
          (fault): fault is typeof fault & Pick<SandboxFault, 'operation'> =>
            fault.accountRefPrefix === standInAccountPrefix(partnerId) &&
            sandboxOperations.has(fault.operation),
        )
        .map(({ accountRefPrefix: _prefix, ...fault }) => fault),
    clear: (partnerId) => {
      for (const system of Object.values(systems)) system.faults.clearFor(standInAccountPrefix(partnerId));
    },
  };
}
