// Each way a signed request can be wrong gets its own 401 code; a valid one gets through.
import { describe, expect, it } from 'vitest';
import { deleteExpiredNonces } from '../../store/request-nonces.ts';
import { createTestGateway } from '../../test/support/gateway.ts';
import { createSigner } from '../../test/support/signer.ts';

const gateway = await createTestGateway();
const { partner, signer } = await gateway.onboardPartner('Harbour Coffee');

async function expectProblem(response: Response, status: number, code: string) {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const body = (await response.json()) as { code: string; requestId: string };
  expect({ status: response.status, code: body.code }).toEqual({ status, code });
  expect(body.requestId).toBe(response.headers.get('x-request-id'));
  return body;
}

describe('signed partner requests', () => {
  it('accepts a valid signed request', async () => {
    const response = await gateway.call(signer, 'GET', '/v1/partner');
    expect(response.status).toBe(200);
    expect(((await response.json()) as { id: string }).id).toBe(partner.id);
  });

  it.each(['RS256', 'PS256', 'ES256', 'EdDSA'] as const)('accepts %s keys', async (alg) => {
    const keyed = await createSigner('pending', alg);
    const onboarded = await gateway.onboardPartner(`Partner ${alg}`, keyed);
    expect((await gateway.call(onboarded.signer, 'GET', '/v1/partner')).status).toBe(200);
  });
});

describe('refused signatures', () => {
  it('refuses a request without a token', async () => {
    await expectProblem(await gateway.call(null, 'GET', '/v1/partner'), 401, 'signature_missing');
  });

  it('refuses a token that is not a JWT', async () => {
    const response = await gateway.call(null, 'GET', '/v1/partner', {
      headers: { authorization: 'Bearer not.a.jwt' },
    });
    await expectProblem(response, 401, 'signature_malformed');
  });

  it('refuses alg none', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', kid: signer.key.kid })).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: partner.id, aud: 'points-alliance-gateway', iat: now, exp: now + 60, jti: 'x' };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const response = await gateway.call(null, 'GET', '/v1/partner', {
      headers: { authorization: `Bearer ${header}.${payload}.` },
    });
    await expectProblem(response, 401, 'signature_algorithm_refused');
  });

  it('refuses a signature made by a key that is not registered under that kid', async () => {
    const stranger = await createSigner(partner.id);
    await expectProblem(await gateway.call(stranger, 'GET', '/v1/partner'), 401, 'signature_key_unknown');
  });

  it('refuses a signature that does not verify', async () => {
    const impostor = await createSigner(partner.id);
    const forged = {
      ...impostor,
      sign: (...args: Parameters<typeof impostor.sign>) =>
        impostor.sign(args[0], args[1], args[2], { kid: signer.key.kid, ...args[3] }),
    };
    await expectProblem(await gateway.call(forged, 'GET', '/v1/partner'), 401, 'signature_invalid');
  });

  it('refuses an unknown issuer', async () => {
    const unknown = await createSigner('ptn_00000000000000000000000000');
    await expectProblem(await gateway.call(unknown, 'GET', '/v1/partner'), 401, 'signature_key_unknown');
  });

  it('refuses an expired token', async () => {
    const nowSeconds = Math.floor(Date.now() / 1000) - 600;
    const response = await gateway.call(signer, 'GET', '/v1/partner', { token: { nowSeconds } });
    await expectProblem(response, 401, 'signature_expired');
  });

  it('refuses a token issued in the future', async () => {
    const nowSeconds = Math.floor(Date.now() / 1000) + 120;
    const response = await gateway.call(signer, 'GET', '/v1/partner', { token: { nowSeconds } });
    await expectProblem(response, 401, 'signature_not_yet_valid');
  });

  it('refuses a token that lives longer than five minutes', async () => {
    const response = await gateway.call(signer, 'GET', '/v1/partner', { token: { lifetimeSeconds: 301 } });
    await expectProblem(response, 401, 'signature_lifetime_too_long');
  });

  it('refuses a token meant for another audience', async () => {
    const response = await gateway.call(signer, 'GET', '/v1/partner', {
      token: { audience: 'another-gateway' },
    });
    await expectProblem(response, 401, 'signature_audience_mismatch');
  });

  it('refuses a token signed for another method', async () => {
    const response = await gateway.call(signer, 'GET', '/v1/partner', { token: { method: 'DELETE' } });
    await expectProblem(response, 401, 'signature_method_mismatch');
  });

  it('refuses a token signed for another path', async () => {
    const response = await gateway.call(signer, 'GET', '/v1/partner', { signedPath: '/v1/partner?x=1' });
    await expectProblem(response, 401, 'signature_path_mismatch');
  });

  it('refuses a body that is not the one signed', async () => {
    const token = await gateway.operator.sign('POST', '/v1/operator/partners', '{"name":"A"}');
    const response = await gateway.call(null, 'POST', '/v1/operator/partners', {
      body: { name: 'B' },
      headers: { authorization: `Bearer ${token}` },
    });
    await expectProblem(response, 401, 'signature_body_mismatch');
  });

  it('refuses the same signed request a second time', async () => {
    const token = await signer.sign('GET', '/v1/partner');
    const headers = { authorization: `Bearer ${token}` };
    expect((await gateway.call(null, 'GET', '/v1/partner', { headers })).status).toBe(200);
    await expectProblem(
      await gateway.call(null, 'GET', '/v1/partner', { headers }),
      401,
      'signature_replayed',
    );
  });

  it('refuses a replay of a token past its exp but within the clock skew, after expired nonces were pruned', async () => {
    // exp two seconds ago: still accepted under the 5 s of skew tolerated.
    const lifetimeSeconds = 60;
    const nowSeconds = Math.floor(Date.now() / 1000) - lifetimeSeconds - 2;
    const token = await signer.sign('GET', '/v1/partner', undefined, { nowSeconds, lifetimeSeconds });
    const headers = { authorization: `Bearer ${token}` };
    expect((await gateway.call(null, 'GET', '/v1/partner', { headers })).status).toBe(200);
    await deleteExpiredNonces(gateway.db);
    await expectProblem(
      await gateway.call(null, 'GET', '/v1/partner', { headers }),
      401,
      'signature_replayed',
    );
  });

  it('refuses a suspended partner, and accepts it again once resumed', async () => {
    const suspended = await gateway.onboardPartner('Suspended Cinema');
    const path = `/v1/operator/partners/${suspended.partner.id}`;
    expect((await gateway.call(gateway.operator, 'POST', `${path}/suspend`)).status).toBe(200);
    await expectProblem(await gateway.call(suspended.signer, 'GET', '/v1/partner'), 401, 'partner_suspended');
    expect((await gateway.call(gateway.operator, 'POST', `${path}/resume`)).status).toBe(200);
    expect((await gateway.call(suspended.signer, 'GET', '/v1/partner')).status).toBe(200);
  });

  it('refuses a partner on operator endpoints, and the operator on partner endpoints', async () => {
    await expectProblem(
      await gateway.call(signer, 'GET', `/v1/operator/partners/${partner.id}`),
      403,
      'forbidden',
    );
    await expectProblem(await gateway.call(gateway.operator, 'GET', '/v1/partner'), 403, 'forbidden');
  });
});
