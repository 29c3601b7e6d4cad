// The operator onboards partners and rotates their keys without downtime: a new key works as soon
// as it is added, the old one keeps working until retired, and the last key cannot be retired.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestGateway } from '../../test/support/gateway.ts';
import { createSigner, signerFor } from '../../test/support/signer.ts';
import type { PartnerView } from '../schemas/partners.ts';

const gateway = await createTestGateway();

describe('onboarding', () => {
  it('creates an active partner with its programmes and keys', async () => {
    const { partner, signer } = await gateway.onboardPartner('Skyway Airlines');
    expect(partner).toMatchObject({ name: 'Skyway Airlines', status: 'active', webhookUrl: null });
    expect(partner.id).toMatch(/^ptn_[0-9a-z]{26}$/);
    expect(partner.programs).toEqual([
      {
        id: expect.stringMatching(/^prg_/),
        name: 'Skyway Airlines Rewards',
        unitName: 'points',
        ledger: 'partner_system',
      },
    ]);
    expect(partner.keys).toEqual([
      expect.objectContaining({ kid: signer.key.kid, status: 'active', retiredAt: null }),
    ]);
    const read = await gateway.call(gateway.operator, 'GET', `/v1/operator/partners/${partner.id}`);
    expect(await read.json()).toEqual(partner);
  });
});

describe('key rotation', () => {
  it('adds a new key, keeps the old one working until retired, then refuses it', async () => {
    const { partner, signer: oldSigner } = await gateway.onboardPartner('Rotating Cinema');
    const newKey = (await createSigner(partner.id, 'RS256')).key;
    const newSigner = signerFor(partner.id, newKey);
    const base = `/v1/operator/partners/${partner.id}`;

    expect((await gateway.call(newSigner, 'GET', '/v1/partner')).status).toBe(401);
    const added = await gateway.call(gateway.operator, 'POST', `${base}/keys`, {
      body: { jwk: newKey.publicJwk },
    });
    expect(added.status).toBe(201);
    expect((await gateway.call(newSigner, 'GET', '/v1/partner')).status).toBe(200);
    expect((await gateway.call(oldSigner, 'GET', '/v1/partner')).status).toBe(200);

    const retired = await gateway.call(gateway.operator, 'POST', `${base}/keys/${oldSigner.key.kid}/retire`);
    expect(retired.status).toBe(200);
    const view = (await retired.json()) as PartnerView;
    expect(view.keys.find((key) => key.kid === oldSigner.key.kid)).toMatchObject({ status: 'retired' });

    const refused = await gateway.call(oldSigner, 'GET', '/v1/partner');
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { code: string }).code).toBe('signature_key_unknown');
    expect((await gateway.call(newSigner, 'GET', '/v1/partner')).status).toBe(200);
  });

  it('refuses to retire the last active key', async () => {
    const { partner, signer } = await gateway.onboardPartner('Lonely Key Books');
    const response = await gateway.call(
      gateway.operator,
      'POST',
      `/v1/operator/partners/${partner.id}/keys/${signer.key.kid}/retire`,
    );
    expect(response.status).toBe(409);
    expect(((await response.json()) as { code: string }).code).toBe('partner_key_last_active');
    expect((await gateway.call(signer, 'GET', '/v1/partner')).status).toBe(200);
  });

  it('refuses a key id that is already registered', async () => {
    const { partner, signer } = await gateway.onboardPartner('Duplicate Key Grocer');
    const response = await gateway.call(
      gateway.operator,
      'POST',
      `/v1/operator/partners/${partner.id}/keys`,
      {
        body: { jwk: signer.key.publicJwk },
      },
    );
    expect(response.status).toBe(409);
    expect(((await response.json()) as { code: string }).code).toBe('partner_key_exists');
  });

  it('refuses an RSA key shorter than 2048 bits', async () => {
    const { partner } = await gateway.onboardPartner('Weak Key Hotel');
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const jwk = { ...weak.publicKey.export({ format: 'jwk' }), alg: 'RS256' };
    const response = await gateway.call(
      gateway.operator,
      'POST',
      `/v1/operator/partners/${partner.id}/keys`,
      {
        body: { jwk },
      },
    );
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { code: string; errors: { field: string; message: string }[] };
    expect(problem.code).toBe('partner_key_invalid');
    expect(problem.errors[0]).toEqual({ field: 'jwk', message: 'RSA keys must be at least 2048 bits' });
  });
});
