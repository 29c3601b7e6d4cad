// A gateway app over the real test database and Temporal server, with an operator key pair and
// helpers that send signed requests the way a partner's integration would.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, inject } from 'vitest';
import { createApp, type GatewayOptions } from '../../gateway/app.ts';
import type { ReadinessChecks } from '../../gateway/routes/health.ts';
import type { PartnerView } from '../../gateway/schemas/partners.ts';
import { createLogger } from '../../runtime/logger.ts';
import { readinessChecks } from '../../runtime/readiness.ts';
import { generateSigningKeyPair } from '../../signing/keys.ts';
import type { SignRequestInput } from '../../signing/request-token.ts';
import type { Db } from '../../store/connection.ts';
import { connectTemporalClient } from '../../workflows/client.ts';
import { useTestDatabase } from './database.ts';
import { createSigner, type Signer, signerFor, testAudience } from './signer.ts';

export const testGatewayOptions: GatewayOptions = {
  audience: testAudience,
  bodySizeMaxBytes: 64 * 1024,
  signedRequestLifetimeMaxSeconds: 300,
  clockSkewSeconds: 5,
  idempotencyLockSeconds: 30,
};

export interface CallOptions {
  body?: unknown;
  /** Sent as is, instead of JSON-encoding `body`. */
  rawBody?: string;
  idempotencyKey?: string | null;
  headers?: Record<string, string>;
  token?: Partial<SignRequestInput>;
  /** Sign this path instead of the one requested. */
  signedPath?: string;
}

export interface TestGateway {
  app: ReturnType<typeof createApp>;
  db: Db;
  temporal: Client;
  operator: Signer;
  call(signer: Signer | null, method: string, path: string, options?: CallOptions): Promise<Response>;
  onboardPartner(name?: string, signer?: Signer): Promise<{ partner: PartnerView; signer: Signer }>;
}

export async function createTestGateway(
  overrides: { readiness?: ReadinessChecks } = {},
): Promise<TestGateway> {
  const db = useTestDatabase();
  const temporal = await connectTemporalClient(inject('temporalAddress'), 'default');
  afterAll(() => temporal.connection.close());
  const operator = await createSigner('operator', 'EdDSA');
  const gatewayKey = await generateSigningKeyPair('ES256');
  const app = createApp({
    db,
    logger: createLogger('silent'),
    options: testGatewayOptions,
    operatorPublicKeys: [operator.key.publicJwk],
    gatewayPublicKeys: [gatewayKey.publicJwk],
    readiness: overrides.readiness ?? readinessChecks(db, temporal),
  });

  const call: TestGateway['call'] = async (signer, method, path, options = {}) => {
    const body = options.rawBody ?? (options.body === undefined ? '' : JSON.stringify(options.body));
    const headers: Record<string, string> = { ...options.headers };
    if (body !== '') headers['content-type'] ??= 'application/json';
    if (method === 'POST' && options.idempotencyKey !== null) {
      headers['idempotency-key'] = options.idempotencyKey ?? randomUUID();
    }
    if (signer) {
      const token = await signer.sign(method, options.signedPath ?? path, body, options.token);
      headers.authorization ??= `Bearer ${token}`;
    }
    return app.request(path, { method, headers, ...(body === '' ? {} : { body }) });
  };

  const onboardPartner: TestGateway['onboardPartner'] = async (name = 'Test Partner', signer) => {
    const partnerSigner = signer ?? (await createSigner('pending', 'ES256'));
    const response = await call(operator, 'POST', '/v1/operator/partners', {
      body: {
        name,
        programs: [{ name: `${name} Rewards`, unitName: 'points', ledger: 'partner_system' }],
        keys: [partnerSigner.key.publicJwk],
      },
    });
    if (response.status !== 201)
      throw new Error(`onboarding failed: ${response.status} ${await response.text()}`);
    const partner = (await response.json()) as PartnerView;
    return { partner, signer: signerFor(partner.id, partnerSigner.key) };
  };

  return { app, db, temporal, operator, call, onboardPartner };
}
