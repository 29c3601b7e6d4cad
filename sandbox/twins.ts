// Each live partner that asks gets a twin in the sandbox alliance: the same name, a programme of
// its own hosted in the sandbox's ledger, rate agreements to and from every stand-in brand, and
// demo members linked everywhere with points. The twin is made once (a repeat finds it); every
// request for credentials registers one more key pair for it, derived from that request.
import type { Kysely } from 'kysely';
import {
  type SandboxStandInSlug,
  sandboxDemoMembers,
  sandboxStandInBrands,
  sandboxStartingPoints,
} from '../domain/sandbox.ts';
import type { PartnerView } from '../gateway/schemas/partners.ts';
import type {
  LivePartnerOutline,
  SandboxCredentials,
  SandboxProvisioner,
  SandboxStandIn,
} from '../services/sandbox.ts';
import type { SigningKeyPair } from '../signing/keys.ts';
import { createSignedClient, type SignedClient } from '../signing/signed-client.ts';
import { deriveCredentialKey } from './credential-keys.ts';
import { findTwin, insertTwin, markTwinSeeded, type TwinRecord } from './registry.ts';
import { agreeRate, expectAnswer, linkMember } from './signed-calls.ts';
import { type StandInSystems, standInAccountRef } from './stand-ins.ts';

export interface TwinProvisionerOptions {
  // biome-ignore lint/suspicious/noExplicitAny: the registry's schema is its own.
  db: Kysely<any>;
  sandboxUrl: string;
  audience: string;
  operator: SignedClient;
  /** The stand-ins, and a client signing as each (they accept agreements and link members). */
  standIns: readonly SandboxStandIn[];
  standInClients: Record<SandboxStandInSlug, SignedClient>;
  systems: StandInSystems;
  credentialSecret: Buffer;
}

export function createTwinProvisioner(options: TwinProvisionerOptions): SandboxProvisioner {
  return {
    async issueCredentials({ livePartner, requestKey, webhookUrl }) {
      const key = await deriveCredentialKey(options.credentialSecret, {
        livePartnerId: livePartner.id,
        requestKey,
      });
      const twin = await ensureTwin(options, livePartner, key);
      if (webhookUrl !== undefined) {
        await expectAnswer(
          options.operator,
          {
            method: 'POST',
            path: `/v1/operator/partners/${twin.partnerId}/webhook-url`,
            idempotencyKey: `sandbox-twin-webhook:${livePartner.id}:${requestKey}`,
            body: { webhookUrl },
          },
          [200],
        );
      }
      const members = twin.members ?? (await seedTwin(options, twin, key));
      return credentialsOf(options, twin, key, members);
    },
  };
}

/** Finds the live partner's twin, or onboards it; either way `key` is one of its active keys. */
async function ensureTwin(
  options: TwinProvisionerOptions,
  livePartner: LivePartnerOutline,
  key: SigningKeyPair,
): Promise<TwinRecord> {
  const known = await findTwin(options.db, livePartner.id);
  if (!known) {
    // Keyed by the live partner: a run that died before recording the twin finds it here again.
    const created = await expectAnswer(
      options.operator,
      {
        method: 'POST',
        path: '/v1/operator/partners',
        idempotencyKey: `sandbox-twin:${livePartner.id}`,
        body: {
          name: livePartner.name,
          programs: [
            {
              name: livePartner.program?.name ?? `${livePartner.name} Points`,
              unitName: livePartner.program?.unitName ?? 'points',
              ledger: 'hosted',
            },
          ],
          keys: [key.publicJwk],
          loyaltyApiUrl: null,
          webhookUrl: null,
        },
      },
      [201],
    );
    const partner = created.json<PartnerView>();
    const programId = partner.programs[0]?.id;
    if (!programId) throw new Error(`sandbox: the twin of ${livePartner.id} came back without its programme`);
    const twin = await insertTwin(options.db, {
      livePartnerId: livePartner.id,
      partnerId: partner.id,
      programId,
    });
    if (twin.partnerId === partner.id && partner.keys.some((candidate) => candidate.kid === key.kid))
      return twin;
    await registerKey(options, twin.partnerId, key);
    return twin;
  }
  await registerKey(options, known.partnerId, key);
  return known;
}

async function registerKey(options: TwinProvisionerOptions, partnerId: string, key: SigningKeyPair) {
  await expectAnswer(
    options.operator,
    {
      method: 'POST',
      path: `/v1/operator/partners/${partnerId}/keys`,
      idempotencyKey: `sandbox-key:${key.kid}`,
      body: { jwk: key.publicJwk },
    },
    [201],
    ['partner_key_exists'],
  );
}

/**
 * Agreements with every stand-in both ways, then the demo members: linked to the twin's programme
 * with points in its hosted ledger, and to every stand-in's with points in its system. Every call
 * is keyed and its body fixed by the twin's record, so a run cut short is finished by the next.
 */
async function seedTwin(
  options: TwinProvisionerOptions,
  twin: TwinRecord,
  key: SigningKeyPair,
): Promise<NonNullable<TwinRecord['members']>> {
  const client = createSignedClient({
    baseUrl: options.sandboxUrl,
    issuer: twin.partnerId,
    key,
    audience: options.audience,
  });
  try {
    const self = { client, programId: twin.programId };
    const seedKey = `sandbox-seed:${twin.partnerId}`;
    for (const brand of sandboxStandInBrands) {
      const standIn = standInFor(options, brand.slug);
      const other = { client: options.standInClients[brand.slug], programId: standIn.programId };
      const at = { effectiveFrom: twin.createdAt };
      await agreeRate(self, other, { ...at, rate: brand.rateIn, key: `${seedKey}:${brand.slug}:in` });
      await agreeRate(other, self, { ...at, rate: brand.rateOut, key: `${seedKey}:${brand.slug}:out` });
    }
    const members: NonNullable<TwinRecord['members']> = [];
    for (let index = 1; index <= sandboxDemoMembers; index += 1) {
      const accountRef = `member-${index}`;
      const memberKey = `${seedKey}:${accountRef}`;
      const grantedAt = twin.createdAt;
      const memberId = await linkMember(self, {
        memberId: null,
        accountRef,
        grantedAt,
        key: memberKey,
        scopes: ['transfers', 'redemptions'],
      });
      await expectAnswer(
        client,
        {
          method: 'POST',
          path: `/v1/programs/${twin.programId}/accounts/${accountRef}/credits`,
          idempotencyKey: `${memberKey}:credit`,
          body: { points: String(sandboxStartingPoints), reason: 'sandbox: demo points' },
        },
        [201],
      );
      for (const brand of sandboxStandInBrands) {
        const standInAccount = standInAccountRef(twin.partnerId, accountRef);
        const standIn = standInFor(options, brand.slug);
        const owner = { client: options.standInClients[brand.slug], programId: standIn.programId };
        await linkMember(owner, {
          memberId,
          accountRef: standInAccount,
          grantedAt,
          key: `${memberKey}:${brand.slug}`,
          // The partner may also pull its members' points from a stand-in (a reserve there to try).
          scopes: ['transfers', 'pull_transfers', 'redemptions'],
        });
        const books = options.systems[brand.slug].books;
        if (!(await books.balance(standInAccount)))
          await books.openAccount(standInAccount, sandboxStartingPoints);
      }
      members.push({ memberId, accountRef });
    }
    await markTwinSeeded(options.db, twin.livePartnerId, members);
    return members;
  } finally {
    await client.close();
  }
}

function standInFor(options: TwinProvisionerOptions, slug: SandboxStandInSlug): SandboxStandIn {
  const standIn = options.standIns.find((candidate) => candidate.slug === slug);
  if (!standIn) throw new Error(`sandbox: the stand-in ${slug} was not onboarded`);
  return standIn;
}

function credentialsOf(
  options: TwinProvisionerOptions,
  twin: TwinRecord,
  key: SigningKeyPair,
  members: NonNullable<TwinRecord['members']>,
): SandboxCredentials {
  return {
    sandboxBaseUrl: options.sandboxUrl,
    audience: options.audience,
    partnerId: twin.partnerId,
    programId: twin.programId,
    kid: key.kid,
    alg: key.alg,
    privateJwk: key.privateJwk,
    standIns: [...options.standIns],
    members,
  };
}
