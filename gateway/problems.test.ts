// Every error is RFC 9457 problem+json with a stable code, a detail and the request id; validation
// errors name the fields; a 500 says nothing of our internals.
import { describe, expect, it } from 'vitest';
import { createTestGateway } from '../test/support/gateway.ts';

const gateway = await createTestGateway();
gateway.app.get('/test-only/explode', () => {
  throw new Error('connection string postgres://secret@db');
});

interface ProblemJson {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance: string;
  requestId: string;
  errors?: { field: string; message: string }[];
}

async function readProblem(response: Response): Promise<ProblemJson> {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const problem = (await response.json()) as ProblemJson;
  expect(problem.status).toBe(response.status);
  expect(problem.type).toBe(`urn:problem-type:alliance:${problem.code}`);
  expect(problem.title.length).toBeGreaterThan(0);
  expect(problem.detail.length).toBeGreaterThan(0);
  expect(problem.requestId).toBe(response.headers.get('x-request-id'));
  return problem;
}

describe('problem+json', () => {
  it('names every invalid field on a 400', async () => {
    const response = await gateway.call(gateway.operator, 'POST', '/v1/operator/partners', {
      body: { name: '', programs: [{ name: 'Club', unitName: 'points', ledger: 'spreadsheet' }], keys: [] },
    });
    expect(response.status).toBe(400);
    const problem = await readProblem(response);
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors?.map((error) => error.field).sort()).toEqual(['keys', 'name', 'programs.0.ledger']);
  });

  it('names path parameters', async () => {
    const response = await gateway.call(gateway.operator, 'GET', '/v1/operator/partners/not-an-id');
    const problem = await readProblem(response);
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors?.[0]?.field).toBe('path.partnerId');
  });

  it('says when the body is not JSON', async () => {
    const response = await gateway.call(gateway.operator, 'POST', '/v1/operator/partners', {
      rawBody: '{"name": ',
    });
    expect(response.status).toBe(400);
    expect((await readProblem(response)).code).toBe('malformed_json');
  });

  it('refuses a body sent without a JSON content type', async () => {
    const response = await gateway.call(gateway.operator, 'POST', '/v1/operator/partners', {
      rawBody: '{}',
      headers: { 'content-type': 'text/plain' },
    });
    expect(response.status).toBe(415);
    const problem = await readProblem(response);
    expect(problem.code).toBe('unsupported_media_type');
    expect(problem.errors?.[0]?.field).toBe('header.Content-Type');
  });

  it('refuses a public key with a private part, naming it', async () => {
    const response = await gateway.call(gateway.operator, 'POST', '/v1/operator/partners', {
      body: {
        name: 'Leaky',
        programs: [{ name: 'Club', unitName: 'points', ledger: 'hosted' }],
        keys: [{ ...gateway.operator.key.privateJwk }],
      },
    });
    const problem = await readProblem(response);
    expect(response.status).toBe(400);
    expect(problem.errors?.some((error) => error.field.startsWith('keys.0'))).toBe(true);
  });

  it('answers 401 without a signature', async () => {
    const response = await gateway.call(null, 'GET', '/v1/partner');
    expect(response.status).toBe(401);
    expect((await readProblem(response)).code).toBe('signature_missing');
  });

  it('answers 404 for an unknown route and an unknown partner', async () => {
    const route = await gateway.call(null, 'GET', '/v1/nothing-here');
    expect(route.status).toBe(404);
    expect((await readProblem(route)).code).toBe('not_found');
    const partner = await gateway.call(
      gateway.operator,
      'GET',
      '/v1/operator/partners/ptn_00000000000000000000000000',
    );
    expect(partner.status).toBe(404);
    expect((await readProblem(partner)).code).toBe('not_found');
  });

  it('answers 405 with Allow for a known path and another method', async () => {
    const response = await gateway.call(null, 'DELETE', '/healthz');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toContain('GET');
    expect((await readProblem(response)).code).toBe('method_not_allowed');
  });

  it('answers 409 when the same key comes with another body', async () => {
    const ok = await gateway.call(
      gateway.operator,
      'POST',
      '/v1/operator/partners/ptn_00000000000000000000000000/suspend',
      {
        idempotencyKey: 'problem-409',
      },
    );
    expect(ok.status).toBe(404);
    const conflict = await gateway.call(
      gateway.operator,
      'POST',
      '/v1/operator/partners/ptn_00000000000000000000000001/suspend',
      {
        idempotencyKey: 'problem-409',
      },
    );
    expect(conflict.status).toBe(409);
    expect((await readProblem(conflict)).code).toBe('idempotency_key_reused');
  });

  it('answers 413 for a body over the limit', async () => {
    const response = await gateway.call(gateway.operator, 'POST', '/v1/operator/partners', {
      rawBody: JSON.stringify({ name: 'x'.repeat(70 * 1024) }),
    });
    expect(response.status).toBe(413);
    expect((await readProblem(response)).code).toBe('payload_too_large');
  });

  it('answers 500 without internals', async () => {
    const response = await gateway.call(null, 'GET', '/test-only/explode');
    expect(response.status).toBe(500);
    const problem = await readProblem(response);
    expect(problem.code).toBe('internal_error');
    expect(JSON.stringify(problem)).not.toContain('postgres://');
  });

  it('echoes a request id the caller sends', async () => {
    const response = await gateway.call(null, 'GET', '/v1/nothing-here', {
      headers: { 'x-request-id': 'trace-123' },
    });
    expect((await readProblem(response)).requestId).toBe('trace-123');
  });
});
