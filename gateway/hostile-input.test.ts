// Input a schema fuzzer sends: control characters, unpaired surrogates, bytes that are not UTF-8,
// numbers past their column, cursors that are not ids, a wrong method. Each is a 4xx problem that
// names where the bad value is, never a 500; the cases are the ones the fuzzer found as 500s.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signRequest } from '../signing/request-token.ts';
import { type IdPrefix, newId } from '../store/ids.ts';
import { linkMember } from '../test/support/exchange.ts';
import { createTestGateway } from '../test/support/gateway.ts';
import { type Signer, testAudience } from '../test/support/signer.ts';
import { textPattern } from './schemas/common.ts';
import { idPattern } from './schemas/ids.ts';

const gateway = await createTestGateway();
const coffee = await gateway.onboardPartner('Hostile Input Coffee', undefined, { ledger: 'hosted' });
const programId = coffee.partner.programs[0]?.id ?? '';
const memberId = await linkMember(gateway, [{ signer: coffee.signer, programId }]);

interface Problem {
  code: string;
  requestId: string;
  errors?: { field: string; message: string }[];
}

async function expectRefused(response: Response, status: number, code: string, field?: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const problem = (await response.json()) as Problem;
  expect(problem.code).toBe(code);
  if (field) expect(problem.errors?.map((error) => error.field)).toContain(field);
  return problem;
}

const linkBody = (overrides: Record<string, unknown> = {}, consent: Record<string, unknown> = {}) => ({
  memberId,
  programId,
  accountRef: `acct-${randomUUID()}`,
  tier: 'gold',
  consent: { grantedAt: new Date().toISOString(), scopes: ['transfers'], reference: 'ref', ...consent },
  ...overrides,
});

describe('text fields', () => {
  it.each([
    ['accountRef', linkBody({ accountRef: 'a\u0000b' })],
    ['tier', linkBody({ tier: 'gold\u0000' })],
    ['consent.reference', linkBody({}, { reference: '\u0000' })],
    ['accountRef', linkBody({ accountRef: 'line\nbreak' })],
    ['accountRef', linkBody({ accountRef: 'del\u007f' })],
  ])('refuses a control character in %s, naming it', async (field, body) => {
    const response = await gateway.call(coffee.signer, 'POST', '/v1/member-links', { body });
    await expectRefused(response, 400, 'validation_failed', field);
  });

  it('refuses an unpaired surrogate and accepts a paired one', async () => {
    const lone = await gateway.call(coffee.signer, 'POST', '/v1/member-links', {
      rawBody: JSON.stringify(linkBody()).replace('"gold"', '"\\ud800"'),
    });
    await expectRefused(lone, 400, 'validation_failed', 'tier');
    const paired = await gateway.call(coffee.signer, 'POST', '/v1/member-links', {
      body: linkBody({ memberId: null, tier: 'gold 😀' }),
    });
    expect(paired.status).toBe(201);
  });

  it('refuses a NUL in a hosted credit reason and in a quote programme id', async () => {
    const credit = await gateway.call(
      coffee.signer,
      'POST',
      `/v1/programs/${programId}/accounts/a1/credits`,
      {
        body: { points: '10', reason: 'earned\u0000' },
      },
    );
    await expectRefused(credit, 400, 'validation_failed', 'reason');
    const quote = await gateway.call(coffee.signer, 'POST', '/v1/quotes', {
      body: { memberId, sourceProgramId: '\u0000', targetProgramId: programId, sourcePoints: '10' },
    });
    await expectRefused(quote, 400, 'validation_failed', 'sourceProgramId');
  });

  it('refuses a body that is not UTF-8', async () => {
    const body = new Uint8Array([...Buffer.from('{"reason":"'), 0xff, 0xfe, ...Buffer.from('"}')]);
    const path = `/v1/member-links/${newId('lnk')}/revoke`;
    const response = await gateway.app.request(path, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
        authorization: `Bearer ${await sign(coffee.signer, 'POST', path, body)}`,
      },
    });
    await expectRefused(response, 400, 'malformed_json');
  });
});

describe('path and query values', () => {
  it.each([
    ['/v1/transfers/%00', 'path.transferId'],
    ['/v1/transfers/%FF', 'path.transferId'],
    ['/v1/transfers/trf_garbage', 'path.transferId'],
    [`/v1/programs/${programId}/accounts/%FF%FE`, 'path.accountRef'],
    [`/v1/programs/${programId}/accounts/a%01b`, 'path.accountRef'],
    ['/v1/transfers?cursor=garbage', 'query.cursor'],
    ['/v1/transfers?cursor=%00', 'query.cursor'],
    ['/v1/webhook-deliveries?cursor=%08%F1%92%91%8CY%02%004&limit=49', 'query.cursor'],
    ['/v1/webhook-deliveries?cursor=%FF', 'query.cursor'],
    ['/v1/transfers?limit=1e2', 'query.limit'],
    ['/v1/transfers?limit=0', 'query.limit'],
    ['/v1/transfers?limit=101', 'query.limit'],
    ['/v1/transfers?limit=%205', 'query.limit'],
  ])('refuses GET %s, naming %s', async (path, field) => {
    await expectRefused(await gateway.call(coffee.signer, 'GET', path), 400, 'validation_failed', field);
  });

  it('takes a cursor of the right kind and a plain limit', async () => {
    const response = await gateway.call(
      coffee.signer,
      'GET',
      `/v1/transfers?limit=100&cursor=${newId('trf')}`,
    );
    expect(response.status).toBe(200);
  });

  it.each([
    ['2147483648', 'path.version'],
    ['8133517614053', 'path.version'],
    ['1e2', 'path.version'],
    ['0', 'path.version'],
  ])('refuses version %s of an agreement', async (version, field) => {
    const path = `/v1/rate-agreements/${newId('agr')}/versions/${version}/accept`;
    await expectRefused(await gateway.call(coffee.signer, 'POST', path), 400, 'validation_failed', field);
  });

  it('refuses an agreement id with a control character', async () => {
    const path = '/v1/rate-agreements/%14G/versions/1/accept';
    await expectRefused(
      await gateway.call(coffee.signer, 'POST', path),
      400,
      'validation_failed',
      'path.agreementId',
    );
  });

  it('answers a link revoke with a control character in its id or reason as 400', async () => {
    const byId = await gateway.call(coffee.signer, 'POST', '/v1/member-links/%00/revoke', {
      body: { reason: 'closed' },
    });
    await expectRefused(byId, 400, 'validation_failed', 'path.linkId');
    const byReason = await gateway.call(coffee.signer, 'POST', `/v1/member-links/${newId('lnk')}/revoke`, {
      body: { reason: 'closed\u0000' },
    });
    await expectRefused(byReason, 400, 'validation_failed', 'reason');
  });
});

describe('figures past their column', () => {
  it('refuses a credit that would take a balance past what bigint holds, and keeps the balance', async () => {
    const path = `/v1/programs/${programId}/accounts/whale/credits`;
    const credit = () =>
      gateway.call(coffee.signer, 'POST', path, { body: { points: '999999999999999999', reason: 'earned' } });
    for (let index = 0; index < 9; index += 1) expect((await credit()).status).toBe(201);
    await expectRefused(await credit(), 422, 'amount_out_of_range');
    const balance = await gateway.call(coffee.signer, 'GET', `/v1/programs/${programId}/accounts/whale`);
    expect(((await balance.json()) as { postedPoints: string }).postedPoints).toBe('8999999999999999991');
  });
});

describe('methods', () => {
  it.each([
    ['POST', '/v1/partner', 'GET, HEAD'],
    ['POST', `/v1/transfers/${newId('trf')}`, 'GET, HEAD'],
    ['DELETE', '/v1/transfers', 'POST, GET, HEAD'],
  ])('answers %s %s with 405 and Allow before any signature or key check', async (method, path, allow) => {
    const response = await gateway.call(coffee.signer, method, path, { body: {} });
    await expectRefused(response, 405, 'method_not_allowed');
    expect(response.headers.get('allow')?.split(', ').sort()).toEqual(allow.split(', ').sort());
  });
});

describe('the formats the schemas check', () => {
  it.each<IdPrefix>(['ptn', 'prg', 'mbr', 'lnk', 'agr', 'trf', 'qte', 'whk'])(
    'accepts every %s id store/ids.ts makes',
    (prefix) => {
      for (let index = 0; index < 50; index += 1) expect(newId(prefix)).toMatch(idPattern(prefix));
    },
  );

  it('takes text with any printable character and nothing else', () => {
    expect(textPattern.test('Harbour Coffee — 咖啡 😀')).toBe(true);
    for (const bad of ['\u0000', '\t', '\r', '\u001f', '\u007f', '\ud800', 'x\udc00']) {
      expect(textPattern.test(bad)).toBe(false);
    }
  });
});

async function sign(signer: Signer, method: string, path: string, body: Uint8Array): Promise<string> {
  return signRequest({
    privateJwk: signer.key.privateJwk,
    kid: signer.key.kid,
    alg: signer.key.alg,
    issuer: signer.issuer,
    audience: testAudience,
    method,
    path,
    body,
  });
}
