// The partner sandbox is a second alliance that sandbox keys cannot leave and live keys cannot
// enter. Method: a live alliance (its own database, a worker) is given the provisioner of a sandbox
// started as `npm start` starts it (its own database, Temporal namespace, worker, stand-in partner
// systems and gateway over real HTTP); the operator issues credentials through the live API, a
// partner's integration uses them against the sandbox (a transfer that completes, then one that a
// fault it armed refuses), and each side's keys and ids are tried against the other.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../runtime/config.ts';
import { createLogger } from '../../runtime/logger.ts';
import { readKeyPair } from '../../runtime/signing-keys.ts';
import { startSandbox } from '../../sandbox/start.ts';
import type { SandboxCredentials } from '../../services/sandbox.ts';
import type { SigningKeyPair } from '../../signing/keys.ts';
import { createSignedClient, type SignedClient } from '../../signing/signed-client.ts';
import { createDatabase } from '../../store/connection.ts';
import { dropDatabase, ensureDatabase, withDatabase } from '../../store/database-url.ts';
import { newId } from '../../store/ids.ts';
import { migrateToLatest } from '../../store/migrator.ts';
import { createAlliance } from '../support/alliance.ts';
import { createTestGateway } from '../support/gateway.ts';
import { signerFor } from '../support/signer.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'sandbox-test-'));
const liveUrl = withDatabase(inject('databaseServerUrl'), `alliance_sbx_${process.pid}_${Date.now()}`);
await ensureDatabase(liveUrl);
const liveDb = createDatabase({ url: liveUrl, poolSizeMax: 10 });
await migrateToLatest(liveDb);

const config = loadConfig({
  LOG_LEVEL: 'silent',
  SANDBOX_PORT: '0',
  TEMPORAL_TASK_QUEUE: `sandbox-test-${randomUUID()}`,
  // Short budgets, as the other tests have: a stand-in that never answers costs seconds.
  PARTNER_CALL_TIMEOUT_MS: '1000',
  TRANSFER_STEP_TOTAL_SECONDS: '4',
  TRANSFER_REPLY_WAIT_MS: '8000',
  COOLING_OFF_HOURS: '0',
});
const sandbox = await startSandbox({
  config,
  liveDatabaseUrl: liveUrl,
  temporalAddress: inject('temporalAddress'),
  dataDir,
  logger: createLogger('silent'),
  standInPorts: { airline: 0, cinema: 0 },
  schedules: false,
});
const sandboxDb = createDatabase({ url: sandbox.databaseUrl, poolSizeMax: 2 });
afterAll(async () => {
  await sandbox.close();
  await sandboxDb.destroy();
  await liveDb.destroy();
  await dropDatabase(sandbox.databaseUrl);
  await dropDatabase(liveUrl);
  rmSync(dataDir, { recursive: true, force: true });
});

const alliance = await createAlliance({ database: liveDb, sandboxProvisioner: sandbox.provisioner });
const { gateway: live, coffee } = alliance;
const clients: SignedClient[] = [];
afterAll(() => Promise.all(clients.map((client) => client.close())));

function sandboxClient(issuer: string, key: SigningKeyPair, audience = sandbox.audience): SignedClient {
  const client = createSignedClient({ baseUrl: sandbox.url, issuer, key, audience });
  clients.push(client);
  return client;
}

async function issueCredentials(partnerId: string, idempotencyKey: string) {
  return live.call(live.operator, 'POST', `/v1/operator/partners/${partnerId}/sandbox-credentials`, {
    idempotencyKey,
  });
}

function keyOf(credentials: SandboxCredentials): SigningKeyPair {
  return {
    kid: credentials.kid,
    alg: 'EdDSA',
    privateJwk: credentials.privateJwk,
    publicJwk: { ...credentials.privateJwk, d: undefined },
  };
}

async function settled(client: SignedClient, transferId: string) {
  for (let attempt = 0; attempt < 150; attempt += 1) {
    const response = await client.call({ method: 'GET', path: `/v1/transfers/${transferId}` });
    const transfer = response.json<{ status: string; failure: { code: string } | null }>();
    if (['completed', 'failed', 'needs_attention'].includes(transfer.status)) return transfer;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`sandbox transfer ${transferId} did not settle in 30 s`);
}

const first = await issueCredentials(coffee.partner.id, 'sandbox-credentials-1');
const credentials = (await first.json()) as SandboxCredentials;
const twin = sandboxClient(credentials.partnerId, keyOf(credentials));
const airline = credentials.standIns.find((standIn) => standIn.slug === 'airline');
const member = credentials.members[0];
if (!airline || !member) throw new Error('the credentials name no airline stand-in or no demo member');

async function transferToAirline(points: string, who = { client: twin, credentials }) {
  const response = await who.client.call({
    method: 'POST',
    path: '/v1/transfers',
    body: {
      memberId: who.credentials.members[0]?.memberId,
      sourceProgramId: who.credentials.programId,
      targetProgramId: airline?.programId,
      sourcePoints: points,
    },
  });
  expect([201, 202]).toContain(response.status);
  return settled(who.client, response.json<{ id: string }>().id);
}

async function faultsSeen(client: SignedClient) {
  const response = await client.call({ method: 'GET', path: '/v1/sandbox/faults' });
  return response.json<{ standIns: { faults: unknown[] }[] }>().standIns.flatMap((each) => each.faults);
}

describe('sandbox credentials from the live operator API', () => {
  it("answers with the twin's id, a key pair, the stand-ins and demo members", () => {
    expect(first.status).toBe(201);
    expect(credentials).toMatchObject({
      sandboxBaseUrl: sandbox.url,
      audience: 'points-alliance-sandbox',
      alg: 'EdDSA',
      privateJwk: { kty: 'OKP', crv: 'Ed25519', kid: credentials.kid },
    });
    expect(credentials.partnerId).not.toBe(coffee.partner.id);
    expect(credentials.standIns.map((standIn) => standIn.slug)).toEqual(['airline', 'cinema']);
    expect(credentials.members).toHaveLength(2);
  });

  it('answers a repeat of the key with the same credentials, and another key with another key pair', async () => {
    const repeat = await issueCredentials(coffee.partner.id, 'sandbox-credentials-1');
    expect(repeat.status).toBe(201);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect(await repeat.json()).toEqual(credentials);
    const another = (await (
      await issueCredentials(coffee.partner.id, 'sandbox-credentials-2')
    ).json()) as SandboxCredentials;
    expect(another.partnerId).toBe(credentials.partnerId);
    expect(another.kid).not.toBe(credentials.kid);
    const profile = await sandboxClient(another.partnerId, keyOf(another)).call({
      method: 'GET',
      path: '/v1/partner',
    });
    expect(profile.status).toBe(200);
  });

  it('answers alike when the first answer was lost before it was stored (the process died)', async () => {
    const key = 'sandbox-credentials-lost';
    const answered = (await (await issueCredentials(coffee.partner.id, key)).json()) as SandboxCredentials;
    // As if the gateway died after the sandbox registered the key, before the live record kept the answer.
    await liveDb
      .deleteFrom('idempotency_records')
      .where('principal', '=', 'operator')
      .where('key', '=', key)
      .execute();
    const retried = await issueCredentials(coffee.partner.id, key);
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(await retried.json()).toEqual(answered);
  });

  it('answers 409 partner_not_active for a suspended partner, and issues again once it is resumed', async () => {
    const bookstore = alliance.bookstore.partner.id;
    const suspend = (action: 'suspend' | 'resume') =>
      live.call(live.operator, 'POST', `/v1/operator/partners/${bookstore}/${action}`);
    expect((await suspend('suspend')).status).toBe(200);
    try {
      const refused = await issueCredentials(bookstore, 'sandbox-credentials-suspended');
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { code: string }).code).toBe('partner_not_active');
    } finally {
      expect((await suspend('resume')).status).toBe(200);
    }
    expect((await issueCredentials(bookstore, 'sandbox-credentials-resumed')).status).toBe(201);
  });

  it('answers 404 for a partner the live alliance does not have', async () => {
    const response = await issueCredentials(newId('ptn'), 'sandbox-credentials-unknown');
    expect(response.status).toBe(404);
  });

  it('answers 404 sandbox_not_enabled where no sandbox runs beside the gateway (no retry would help)', async () => {
    const alone = await createTestGateway();
    const { partner } = await alone.onboardPartner('No Sandbox Partner');
    const response = await alone.call(
      alone.operator,
      'POST',
      `/v1/operator/partners/${partner.id}/sandbox-credentials`,
    );
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'sandbox_not_enabled' });
  });
});

describe('the same API against the sandbox alliance', () => {
  it("reads the twin's profile: the live partner's name, its own id and a hosted programme", async () => {
    const response = await twin.call({ method: 'GET', path: '/v1/partner' });
    expect(response.status).toBe(200);
    expect(response.json()).toMatchObject({
      id: credentials.partnerId,
      name: coffee.partner.name,
      programs: [{ id: credentials.programId, ledger: 'hosted' }],
    });
  });

  it("sets where the twin's webhooks go when the operator's request names a URL, and leaves it otherwise", async () => {
    const webhookUrl = 'https://hooks.example/sandbox';
    const issued = await live.call(
      live.operator,
      'POST',
      `/v1/operator/partners/${coffee.partner.id}/sandbox-credentials`,
      { idempotencyKey: 'sandbox-credentials-hooks', body: { webhookUrl } },
    );
    expect(issued.status).toBe(201);
    const profile = async () =>
      (await twin.call({ method: 'GET', path: '/v1/partner' })).json<{ webhookUrl: string | null }>();
    expect((await profile()).webhookUrl).toBe(webhookUrl);
    expect((await issueCredentials(coffee.partner.id, 'sandbox-credentials-no-hooks')).status).toBe(201);
    expect((await profile()).webhookUrl).toBe(webhookUrl);
  });

  it('quotes and completes a transfer to a stand-in brand', async () => {
    const quote = await twin.call({
      method: 'POST',
      path: '/v1/quotes',
      body: {
        memberId: member.memberId,
        sourceProgramId: credentials.programId,
        targetProgramId: airline.programId,
        sourcePoints: '500',
      },
    });
    expect(quote.status).toBe(201);
    expect(quote.json()).toMatchObject({ creditPoints: '350' });
    const transfer = await transferToAirline('500');
    expect(transfer.status).toBe('completed');
    const books = sandbox.systems.airline.books;
    expect((await books.balance(`${credentials.partnerId}-${member.accountRef}`))?.availablePoints).toBe(
      10_350n,
    );
  });

  it('fails the next transfer cleanly once the partner arms a refusal at the stand-in', async () => {
    const balance = async () =>
      (
        await twin.call({
          method: 'GET',
          path: `/v1/programs/${credentials.programId}/accounts/${member.accountRef}`,
        })
      ).json<{ availablePoints: string }>().availablePoints;
    const before = await balance();
    const armed = await twin.call({
      method: 'POST',
      path: '/v1/sandbox/faults',
      body: { standIn: 'airline', operation: 'credit', mode: 'refuse', code: 'account_closed' },
    });
    expect(armed.status).toBe(201);
    expect(armed.json()).toMatchObject({
      standIn: { slug: 'airline' },
      faults: [{ operation: 'credit', mode: 'refuse', count: 1, code: 'account_closed' }],
    });
    // An outcome can only be withheld: a mode the stand-in would spend doing nothing is refused.
    const idle = await twin.call({
      method: 'POST',
      path: '/v1/sandbox/faults',
      body: { standIn: 'airline', operation: 'outcome', mode: 'latency', delayMs: 1_000 },
    });
    expect(idle.status).toBe(400);
    expect(idle.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe('mode');
    // Another sandbox partner's transfer to the same stand-in is not disturbed, nor sees the fault.
    const other = (await (
      await issueCredentials(alliance.airline.partner.id, 'sandbox-other')
    ).json()) as SandboxCredentials;
    const otherClient = sandboxClient(other.partnerId, keyOf(other));
    expect(await faultsSeen(otherClient)).toEqual([]);
    expect((await transferToAirline('500', { client: otherClient, credentials: other })).status).toBe(
      'completed',
    );
    expect(await faultsSeen(twin)).toHaveLength(1);

    const transfer = await transferToAirline('500');
    expect(transfer).toMatchObject({ status: 'failed', failure: { code: 'account_closed' } });
    // The reservation at the twin's own programme was voided: nothing moved.
    expect(await balance()).toBe(before);
    expect(await faultsSeen(twin)).toEqual([]);
  });

  it("pulls a member's points from a stand-in, through its reserve and a fault that loses an answer", async () => {
    const armed = await twin.call({
      method: 'POST',
      path: '/v1/sandbox/faults',
      body: { standIn: 'airline', operation: 'reserve', mode: 'fail_after' },
    });
    expect(armed.status).toBe(201);
    const response = await twin.call({
      method: 'POST',
      path: '/v1/transfers',
      body: {
        memberId: member.memberId,
        sourceProgramId: airline.programId,
        targetProgramId: credentials.programId,
        sourcePoints: '1000',
      },
    });
    expect([201, 202]).toContain(response.status);
    const transfer = await settled(twin, response.json<{ id: string }>().id);
    expect(transfer.status).toBe('completed');
    // The reserve took effect once, though its first answer was lost: 1,000 miles left once.
    const books = sandbox.systems.airline.books;
    const account = await books.balance(`${credentials.partnerId}-${member.accountRef}`);
    expect(account?.availablePoints).toBe(10_350n - 1_000n);
    expect(await faultsSeen(twin)).toEqual([]);
  });

  it('has no fault routes on the live gateway', async () => {
    const response = await live.call(coffee.signer, 'GET', '/v1/sandbox/faults');
    expect(response.status).toBe(404);
  });
});

describe('isolation between the sandbox and live', () => {
  it('refuses the sandbox key at the live gateway, whatever audience it names', async () => {
    const sandboxSigner = signerFor(credentials.partnerId, keyOf(credentials));
    for (const audience of ['points-alliance-sandbox', 'points-alliance-gateway']) {
      const response = await live.call(sandboxSigner, 'GET', '/v1/partner', { token: { audience } });
      expect(response.status).toBe(401);
    }
  });

  it("refuses a live partner's key at the sandbox, even once registered for its twin there", async () => {
    const asLive = sandboxClient(coffee.partner.id, coffee.signer.key, 'points-alliance-gateway');
    expect((await asLive.call({ method: 'GET', path: '/v1/partner' })).status).toBe(401);
    const sandboxOperatorKey = readKeyPair(path.join(dataDir, 'keys', 'sandbox-operator.json'));
    if (!sandboxOperatorKey) throw new Error('the sandbox made no operator key');
    const registered = await sandboxClient('operator', sandboxOperatorKey).call({
      method: 'POST',
      path: `/v1/operator/partners/${credentials.partnerId}/keys`,
      body: { jwk: coffee.signer.key.publicJwk },
    });
    expect(registered.status).toBe(201);
    // The same key pair now opens the twin in the sandbox, but a token made for live does not.
    const liveToken = sandboxClient(credentials.partnerId, coffee.signer.key, 'points-alliance-gateway');
    expect((await liveToken.call({ method: 'GET', path: '/v1/partner' })).status).toBe(401);
    const sandboxToken = sandboxClient(credentials.partnerId, coffee.signer.key);
    expect((await sandboxToken.call({ method: 'GET', path: '/v1/partner' })).status).toBe(200);
    // And a token made for the sandbox is refused by live, though live knows this key.
    const atLive = await live.call(coffee.signer, 'GET', '/v1/partner', {
      token: { audience: 'points-alliance-sandbox' },
    });
    expect(atLive.status).toBe(401);
  });

  it("shows neither side a transfer of the other's", async () => {
    const liveMember = await alliance.member({ coffee: 2_000n });
    const response = await alliance.transfer(coffee, alliance.airline, liveMember, 1_000n);
    const liveTransferId = ((await response.json()) as { id: string }).id;
    expect((await twin.call({ method: 'GET', path: `/v1/transfers/${liveTransferId}` })).status).toBe(404);

    const sandboxTransfers = await sandboxDb.selectFrom('transfers').select('id').execute();
    expect(sandboxTransfers.length).toBeGreaterThan(0);
    for (const { id } of sandboxTransfers) {
      expect((await live.call(coffee.signer, 'GET', `/v1/transfers/${id}`)).status).toBe(404);
    }
  });

  it("keeps no row of the other side's partners, keys or transfers in either database", async () => {
    const ids = async (db: typeof liveDb) => ({
      partners: (await db.selectFrom('partners').select('id').execute()).map((row) => row.id),
      kids: (await db.selectFrom('partner_keys').select('kid').execute()).map((row) => row.kid),
      transfers: (await db.selectFrom('transfers').select('id').execute()).map((row) => row.id),
    });
    const [inLive, inSandbox] = await Promise.all([ids(liveDb), ids(sandboxDb)]);
    expect(inSandbox.partners).toContain(credentials.partnerId);
    expect(inLive.partners).toContain(coffee.partner.id);
    expect(inLive.partners.filter((id) => inSandbox.partners.includes(id))).toEqual([]);
    expect(inLive.transfers.filter((id) => inSandbox.transfers.includes(id))).toEqual([]);
    expect(inLive.kids).not.toContain(credentials.kid);
    // The one key in both is the live key registered for the twin above, on purpose.
    expect(inLive.kids.filter((kid) => inSandbox.kids.includes(kid))).toEqual([coffee.signer.key.kid]);
  });
});
