// The top of the gateway's OpenAPI document and its security schemes; the paths come from the routes.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { GatewayEnv } from './context.ts';
import { addSharedResponses } from './openapi-shared-responses.ts';
import { signedRequestDescription } from './schemas/common.ts';

export const gatewayDocumentConfig = {
  openapi: '3.1.0',
  info: {
    title: 'Points Alliance Exchange Gateway',
    version: '0.1.0',
    description: [
      'The API that alliance partners call: signed requests, idempotent POSTs, RFC 9457 problem+json errors.',
      '',
      signedRequestDescription,
      '',
      'Every POST needs an `Idempotency-Key` header; a repeat with the same key returns the first answer',
      'with `Idempotent-Replayed: true`, and the same key with a different request is a 409.',
      '',
      'A method a path does not have is answered 405 with `Allow`; every operation lists the statuses',
      'the shared checks can give it besides its own (validation, signature, idempotency, limits).',
    ].join('\n'),
  },
  tags: [
    { name: 'Partner', description: 'Called by partners, signed with their keys.' },
    { name: 'Operator: partners', description: 'Called by the alliance operator, signed with its key.' },
    {
      name: 'Finance: settlement',
      description:
        "Called by the alliance's finance team, signed with its key: cycles, positions, payment instructions.",
    },
    {
      name: 'Settlement',
      description: 'A partner reads its own positions and payment instructions per cycle.',
    },
    {
      name: 'Sandbox',
      description:
        'The partner sandbox only (its own base URL and audience): fault switches of the stand-in brands.',
    },
    {
      name: 'Webhooks',
      description:
        'What the gateway POSTs to your webhook URL: `{ id, type, data }`, signed with its key (see `webhooks`).',
    },
    { name: 'Keys', description: "The gateway's own public keys." },
    { name: 'Health', description: 'Liveness and readiness probes.' },
  ],
};

export function registerSecuritySchemes(app: OpenAPIHono<GatewayEnv>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'partnerSignature', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: `Signed with a partner key registered for the partner named in iss. ${signedRequestDescription}`,
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'operatorSignature', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'Signed with the operator key configured at start (OPERATOR_PUBLIC_JWKS); iss is `operator`.',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'financeSignature', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      "Signed with a key of the alliance's finance team configured at start (FINANCE_PUBLIC_JWKS); iss is `finance`.",
  });
}

/** The document as served and checked in: the routes' own, plus the statuses shared middleware gives. */
export function gatewayOpenApiDocument(app: OpenAPIHono<GatewayEnv>) {
  return addSharedResponses(app.getOpenAPI31Document(gatewayDocumentConfig));
}
