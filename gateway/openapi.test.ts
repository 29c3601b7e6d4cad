// The checked-in OpenAPI document is what the code generates; run `npm run openapi` when this fails.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPartnerOpenApiDocument } from '../reference-partner/openapi-build.ts';
import { projectDir } from '../runtime/project-dir.ts';
import { buildGatewayOpenApiDocument } from './openapi-build.ts';
import { operatorWebhooks, partnerWebhooks } from './schemas/webhooks.ts';

describe('openapi/gateway.json', () => {
  it('is current (regenerate with npm run openapi)', async () => {
    const checkedIn = readFileSync(path.join(projectDir, 'openapi', 'gateway.json'), 'utf8');
    expect(checkedIn).toBe(await buildGatewayOpenApiDocument());
  });

  it('describes the three signature schemes and every route with its security', async () => {
    const document = JSON.parse(await buildGatewayOpenApiDocument());
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual([
      'financeSignature',
      'gatewaySignature',
      'operatorSignature',
      'partnerSignature',
    ]);
    expect(document.paths['/v1/partner'].get.security).toEqual([{ partnerSignature: [] }]);
    expect(document.paths['/v1/operator/partners'].post.security).toEqual([{ operatorSignature: [] }]);
    expect(document.paths['/v1/operator/partners'].post.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'idempotency-key', in: 'header', required: true }),
      ]),
    );
    expect(document.components.schemas.Problem).toBeDefined();
  });

  it('describes every webhook the gateway sends, signed by the gateway, with its data', async () => {
    const document = JSON.parse(await buildGatewayOpenApiDocument());
    const webhooks = document.webhooks as Record<
      string,
      { post: { security: unknown; requestBody: unknown } }
    >;
    expect(Object.keys(webhooks).sort()).toEqual(
      [...Object.keys(partnerWebhooks), ...Object.keys(operatorWebhooks)].sort(),
    );
    expect(Object.keys(webhooks)).toHaveLength(28);
    for (const [type, webhook] of Object.entries(webhooks)) {
      expect(webhook.post.security, type).toEqual([{ gatewaySignature: [] }]);
      expect(JSON.stringify(webhook.post.requestBody), type).toContain(`"enum":["${type}"]`);
    }
    expect(document.components.schemas.TransferEventData.required).toEqual(
      expect.arrayContaining(['transferId', 'debitPoints', 'creditPoints', 'failureCode']),
    );
  });
});

describe('openapi/partner.json', () => {
  it('is current (regenerate with npm run openapi)', () => {
    const checkedIn = readFileSync(path.join(projectDir, 'openapi', 'partner.json'), 'utf8');
    expect(checkedIn).toBe(buildPartnerOpenApiDocument());
  });

  it('describes every operation of the adapter contract, and none of the test switches', () => {
    const document = JSON.parse(buildPartnerOpenApiDocument());
    expect(Object.keys(document.paths).sort()).toEqual([
      '/loyalty/accounts/{accountRef}',
      '/loyalty/catalog',
      '/loyalty/credits',
      '/loyalty/credits/{key}/reverse',
      '/loyalty/operations/{key}',
      '/loyalty/reservations',
      '/loyalty/reservations/{key}/post',
      '/loyalty/reservations/{key}/void',
      '/loyalty/transactions',
    ]);
  });
});
