// Every route declares its access, every route the OpenAPI document marks as signed refuses an
// unsigned request, and every partner route refuses the operator's signature (and the reverse): no
// route is left open by mistake.
import { describe, expect, it } from 'vitest';
import { createTestGateway } from '../test/support/gateway.ts';
import { buildGatewayOpenApiDocument } from './openapi-build.ts';

// As the sandbox, so that the document's sandbox-only routes are served too (with inert switches).
const gateway = await createTestGateway({
  sandbox: { faults: { standIns: () => [], arm: () => {}, pending: () => [], clear: () => {} } },
});
const { partner, signer } = await gateway.onboardPartner('Security Check Partner');
const document = JSON.parse(await buildGatewayOpenApiDocument()) as {
  paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>;
};

const signedOperations = Object.entries(document.paths).flatMap(([path, operations]) =>
  Object.entries(operations).flatMap(([method, operation]) => {
    const scheme = Object.keys(operation.security?.[0] ?? {})[0];
    if (!scheme) return [];
    const concrete = path
      .replace(/\{(\w+)\}/g, (_, name: string) => (name === 'version' ? '1' : `${name}-x`))
      .replace('partnerId-x', partner.id);
    return [{ method: method.toUpperCase(), path: concrete, scheme }];
  }),
);

describe('route security', () => {
  it('has every documented route declare who may call it (signedRoute or publicRoute)', () => {
    const undeclared = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation.security === undefined)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(undeclared).toEqual([]);
  });

  it('finds the signed routes in the document', () => {
    expect(signedOperations.length).toBeGreaterThan(15);
  });

  it.each(signedOperations)('$method $path refuses an unsigned request', async ({ method, path }) => {
    const response = await gateway.call(null, method, path, { body: method === 'POST' ? {} : undefined });
    expect(response.status).toBe(401);
  });

  it.each(signedOperations)(
    '$method $path refuses the other kind of caller',
    async ({ method, path, scheme }) => {
      const wrongCaller = scheme === 'partnerSignature' ? gateway.operator : signer;
      const response = await gateway.call(wrongCaller, method, path, {
        body: method === 'POST' ? {} : undefined,
      });
      expect(response.status).toBe(403);
    },
  );
});
